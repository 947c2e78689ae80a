# expected per Nix manual; 2.8 differs: 2.8 overflows its stack ('stack overflow (possible infinite recursion)', no location); declos names the import cycle
import ./eval-fail-import-self-cycle.dcl

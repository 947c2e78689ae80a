# expected per Nix manual; 2.8 differs: current Nix words type errors as 'expected X but found Y: VALUE'
builtins.sort (a: b: 1) [ 1 2 ]

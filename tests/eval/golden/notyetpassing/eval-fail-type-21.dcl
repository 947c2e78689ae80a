# expected per Nix manual; 2.8 differs: current Nix appends both values
1 < "x"

# expected per Nix manual; 2.8 differs: current Nix appends the value
true + 1

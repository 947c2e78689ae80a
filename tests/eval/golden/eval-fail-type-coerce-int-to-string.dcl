# expected per Nix manual; 2.8 differs: current Nix appends the value
"x" + 1

# expected per Nix manual; 2.8 differs: 2.8 wraps around on overflow
9223372036854775807 + 1

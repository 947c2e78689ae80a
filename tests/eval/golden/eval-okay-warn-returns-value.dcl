# expected per Nix manual; 2.8 differs: builtins.warn is missing in 2.8
builtins.warn "careful (printed on stderr)" 42

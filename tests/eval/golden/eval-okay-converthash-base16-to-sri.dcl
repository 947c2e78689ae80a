# expected per Nix manual; 2.8 differs: builtins.convertHash is missing in 2.8
builtins.convertHash { hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; hashAlgo = "sha256"; toHashFormat = "sri"; }

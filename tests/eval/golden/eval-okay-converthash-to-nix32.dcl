# expected per Nix manual; 2.8 differs: builtins.convertHash is missing in 2.8
builtins.convertHash { hash = builtins.hashString "sha256" "hello"; hashAlgo = "sha256"; toHashFormat = "nix32"; }

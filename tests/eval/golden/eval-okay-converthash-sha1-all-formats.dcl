# expected per Nix manual; 2.8 differs: builtins.convertHash is missing in 2.8
map (f: builtins.convertHash { hash = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"; hashAlgo = "sha1"; toHashFormat = f; }) [ "nix32" "base32" "base16" ]

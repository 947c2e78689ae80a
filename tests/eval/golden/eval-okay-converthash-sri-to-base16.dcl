# expected per Nix manual; 2.8 differs: builtins.convertHash is missing in 2.8
builtins.convertHash { hash = "sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="; toHashFormat = "base16"; }

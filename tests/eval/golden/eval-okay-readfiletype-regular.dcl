# expected per Nix manual; 2.8 differs: builtins.readFileType is missing in 2.8
builtins.readFileType ./data/hello.txt

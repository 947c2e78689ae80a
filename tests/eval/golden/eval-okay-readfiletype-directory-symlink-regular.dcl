# expected per Nix manual; 2.8 differs: builtins.readFileType is missing in 2.8
map builtins.readFileType [ ./data/dir ./data/dir/link ./data/empty.txt ]

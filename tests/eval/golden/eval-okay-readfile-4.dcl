builtins.readDir ./data/dir

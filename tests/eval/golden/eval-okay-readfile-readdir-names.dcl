builtins.attrNames (builtins.readDir ./data)

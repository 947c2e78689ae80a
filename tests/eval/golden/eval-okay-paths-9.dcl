builtins.typeOf (./data + "/nonexistent")

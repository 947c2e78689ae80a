builtins.typeOf (builtins.toPath "/a/b")

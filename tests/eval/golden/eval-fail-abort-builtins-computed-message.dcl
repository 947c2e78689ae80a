builtins.abort ("multi" + "part")

with builtins; removeAttrs { a = 1; } [ ]

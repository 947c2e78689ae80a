with builtins; catAttrs "x" [ ]

with builtins; split "(x)?" "ab"

with builtins; split "(,)" "a,b"

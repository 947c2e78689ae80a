with builtins; head [ 1 2 ]

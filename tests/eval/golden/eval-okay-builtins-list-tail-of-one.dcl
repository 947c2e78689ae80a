with builtins; tail [ 1 ]

with builtins; sort builtins.lessThan [ 3 1 2 5 4 ]

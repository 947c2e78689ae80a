with builtins; [ (sort lessThan [ ]) (sort lessThan [ 1 ]) (sort lessThan [ 1.5 1 2 0.5 ]) ]

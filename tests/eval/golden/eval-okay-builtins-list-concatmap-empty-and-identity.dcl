with builtins; [ (concatMap (x: [ ]) [ 1 2 ]) (concatMap (x: x) [ [ 1 ] [ 2 ] ]) ]

with builtins; [ (toString [ 1 2 3 ]) (toString [ ]) (toString [ "a" [ "b" "c" ] ]) (toString [ null true false ]) (toString [ 1 null 2 ]) ]

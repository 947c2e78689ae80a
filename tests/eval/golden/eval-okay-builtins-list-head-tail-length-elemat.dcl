with builtins; [ (head [ 1 2 ]) (tail [ 1 2 3 ]) (length [ ]) (length [ 1 [ 2 3 ] ]) (elemAt [ "a" "b" "c" ] 1) ]

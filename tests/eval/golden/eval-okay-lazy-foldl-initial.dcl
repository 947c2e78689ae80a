# foldl' passes its initial accumulator to op unforced when the list is non-empty
[ (builtins.foldl' (acc: x: x) (throw "unforced") [ 1 2 ]) (builtins.foldl' (acc: x: acc) 0 [ 1 ]) ]

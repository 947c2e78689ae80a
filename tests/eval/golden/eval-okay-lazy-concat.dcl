let xs = [ 1 ] ++ [ (throw "x") ]; in builtins.head xs

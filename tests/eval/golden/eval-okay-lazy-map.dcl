let xs = map (x: throw "never") [ 1 2 3 ]; in builtins.length xs

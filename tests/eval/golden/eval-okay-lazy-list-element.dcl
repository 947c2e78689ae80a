let xs = [ 1 (throw "unused") 3 ]; in builtins.length xs

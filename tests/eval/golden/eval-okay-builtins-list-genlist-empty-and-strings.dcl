with builtins; [ (genList (x: x) 0) (genList (i: "x${toString i}") 3) ]

with builtins; elemAt (genList (x: x * 2) 10) 9

builtins.toJSON { a = 1; b = [ true false null ]; c = "s"; d = { }; e = [ ]; }

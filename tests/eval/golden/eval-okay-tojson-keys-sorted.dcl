with builtins; toJSON { b = 1; a = 2; "z z" = 3; "" = 4; }

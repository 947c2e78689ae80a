with builtins; toJSON { x = { y = [ { z = 1; } ]; }; }

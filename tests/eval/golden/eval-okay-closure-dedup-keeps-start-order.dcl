builtins.genericClosure { startSet = [ { key = 3; } { key = 1; } ]; operator = x: [ { key = 2; } { key = 3; } ]; }

map (x: x.key) (builtins.genericClosure { startSet = [ { key = 10; } ]; operator = x: builtins.filter (y: y.key > 0) [ { key = x.key - 3; } { key = x.key - 4; } ]; })

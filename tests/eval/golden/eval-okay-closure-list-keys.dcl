builtins.genericClosure { startSet = [ { key = [ 1 2 ]; } ]; operator = x: [ { key = [ 1 2 ]; } { key = [ 1 3 ]; } ]; }

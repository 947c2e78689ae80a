{ imports = [ { sorted = [ 3 1 ]; } ]; sorted = [ 2 ]; }

{ source = [ 1 2 ]; }

let a = [ 1 2 ]; in { x = a; y = a; }

{ documented = [ 10 ]; }

{ list = [ "a" ]; }

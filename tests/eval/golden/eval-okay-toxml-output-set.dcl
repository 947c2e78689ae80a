{ a = 1; b = [ "x" true null ]; c = { d = 2.5; }; }

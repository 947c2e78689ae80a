builtins.toXML { a = 1; b = "s"; c = true; d = null; e = [ 1 2 ]; f = 1.5; }

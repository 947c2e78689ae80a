{ a = null; b = true; c = 1.5; d = "q\"uote"; e = [ ]; }

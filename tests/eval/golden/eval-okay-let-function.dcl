let f = x: x * 2; y = f 21; in y

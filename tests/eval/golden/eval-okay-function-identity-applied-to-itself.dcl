let f = x: x; in f f 5

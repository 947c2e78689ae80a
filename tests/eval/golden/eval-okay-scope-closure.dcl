let f = x: let g = y: x + y; in g; in (f 10) 5

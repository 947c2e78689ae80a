let fs = map (i: x: i * x) [ 1 2 3 ]; in map (f: f 10) fs

{ f = x: x; g = builtins.map; h = builtins.add 1; }

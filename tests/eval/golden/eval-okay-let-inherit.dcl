let xs = [ 1 2 3 ]; n = builtins.length xs; in { inherit xs n; }

let a = 1; in { inherit a; b = { inherit a; }; }

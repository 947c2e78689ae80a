let s = { a.b = 2; }; in { inherit (s.a) b; }

let f = x: x; s = { inherit f; }; in [ (s == s) (s.f == s.f) ({ inherit f; } == { inherit f; }) ]

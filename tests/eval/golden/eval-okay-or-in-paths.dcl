let s = { a = { b = null; }; }; in [ (s.a.b or 1) (s.a.c or 2) (s.x.y.z or 3) ]

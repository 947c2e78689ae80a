let
  s = { a = { b = 1; }; };
in
  s.a.c.d

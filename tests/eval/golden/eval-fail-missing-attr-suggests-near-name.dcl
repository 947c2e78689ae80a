let
  s = { foo = 1; bar = 2; };
in
  s.fo

let
  x = 3;
in
  assert x < 2; x

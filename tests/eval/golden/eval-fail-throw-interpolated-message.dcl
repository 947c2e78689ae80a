let
  f = x: if x > 2 then throw "too big: ${toString x}" else x;
in
  f 3

let
  check = v: assert builtins.isString v; v;
in
  check 1

{
  imports = [ { types.anything.f = x: { a = x; }; } ];
  types.anything.f = x: { b = x; };
}

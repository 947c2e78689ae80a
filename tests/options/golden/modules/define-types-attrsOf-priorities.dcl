{ lib, ... }:
{
  imports = [ { types.attrsOfInt = { a = lib.mkDefault 1; b = 1; }; } ];
  types.attrsOfInt = { a = 2; c = lib.mkIf false 3; };
}

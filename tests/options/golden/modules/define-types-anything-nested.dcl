{ lib, ... }:
{
  imports = [ { types.anything = { l1.l2.a = 1; top = "t"; }; } ];
  types.anything = {
    l1.l2.b = null;
    cond = lib.mkIf false 1;
    def = lib.mkDefault 1;
    merged = lib.mkMerge [ { x = 1; } { y = 2; } ];
    before = lib.mkBefore true;
    drv = { outPath = "/out"; x = 1; };
  };
}

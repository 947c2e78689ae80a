{
  imports = [ { types.anything.drv = { outPath = "/one"; }; } ];
  types.anything.drv = { outPath = "/two"; };
}

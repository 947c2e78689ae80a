{ lib, ... }:
{
  imports = [ { types.lines = "middle"; } { types.lines = lib.mkAfter "last"; } ];
  types.lines = lib.mkBefore "first";
}

{ lib, ... }:
{
  imports = [ { text = lib.mkOrder 1600 "z"; } { text = lib.mkOrder 400 "a"; } ];
  text = lib.mkMerge [ "m" (lib.mkBefore "b") (lib.mkAfter "y") ];
}

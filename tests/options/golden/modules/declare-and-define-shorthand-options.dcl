{ lib, ... }:
{
  options.together = lib.mkOption { type = lib.types.str; };
  imports = [ { together = "imported"; } ];
}

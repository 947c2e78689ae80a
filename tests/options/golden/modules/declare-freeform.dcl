{ lib, ... }:
{
  freeformType = lib.types.attrsOf lib.types.str;
  options.fixed = lib.mkOption { type = lib.types.int; default = 1; };
}

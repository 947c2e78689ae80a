{ lib, ... }:
{
  options.x = lib.mkOption { type = lib.types.int; }
  config.x = 1;
}

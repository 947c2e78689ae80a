{ lib, config, ... }:
{
  options.x = lib.mkOption { type = lib.types.int; default = config.y; };
  options.y = lib.mkOption { type = lib.types.int; default = config.z; };
  options.z = lib.mkOption { type = lib.types.int; default = config.x; };
}

{ config, lib, ... }:
{
  options.a = lib.mkOption { type = lib.types.int; default = config.b; };
  options.b = lib.mkOption { type = lib.types.int; default = config.a; };
}

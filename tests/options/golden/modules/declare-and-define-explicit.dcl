{ lib, config, ... }:
{
  options.both = lib.mkOption { type = lib.types.int; default = 1; };
  config.both = 2;
}

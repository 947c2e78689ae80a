{ config, lib, ... }:
{
  options.derived = lib.mkOption { type = lib.types.int; default = config.value * 2; };
}

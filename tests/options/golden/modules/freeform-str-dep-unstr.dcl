{ lib, config, ... }:
{
  options.foo = lib.mkOption { type = lib.types.nullOr lib.types.str; default = config.value or null; };
}

{ lib, config, ... }:
{
  options.value = lib.mkOption { type = lib.types.str; };
  config.foo = config.value;
}

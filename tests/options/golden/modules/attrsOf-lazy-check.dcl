{ lib, config, ... }:
{
  options.isLazy = lib.mkOption { default = !config.value ? foo; };
  config.value.bar = lib.mkIf (!config.isLazy) "not lazy";
}

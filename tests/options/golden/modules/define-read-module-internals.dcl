{ lib, config, ... }:
{
  options.internals = lib.mkOption { default = { check = config._module.check; hasCustom = config._module.args ? custom; freeform = config._module.freeformType; }; };
}

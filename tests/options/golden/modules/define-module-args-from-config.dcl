{ lib, config, ... }:
{
  options.argValue = lib.mkOption { type = lib.types.str; default = "from config"; };
  config._module.args.derivedArg = config.argValue;
}

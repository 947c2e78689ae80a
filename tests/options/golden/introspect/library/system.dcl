{ lib, modulesPath, ... }:
{
  options.system.stateVersion = lib.mkOption {
    type = lib.types.str;
    default = "25.05";
    description = "The declos release this configuration was written for.";
  };
  options.system.modulesPath = lib.mkOption {
    type = lib.types.str;
    internal = true;
    default = toString modulesPath;
    description = "Where the base modules come from.";
  };
}

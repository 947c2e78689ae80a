{ lib, extendModules, ... }:
{
  options.extendedEnable = lib.mkOption {
    type = lib.types.bool;
    default = (extendModules { modules = [ ./define-enable.dcl ]; }).config.enable;
  };
}

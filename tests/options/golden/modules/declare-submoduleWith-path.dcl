{ lib, ... }:
{
  options.submodule = lib.mkOption {
    default = { };
    type = lib.types.submoduleWith { modules = [ ./declare-enable.dcl ]; };
  };
  config.submodule = ./define-enable.dcl;
}

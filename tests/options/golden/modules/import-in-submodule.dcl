{ lib, ... }:
{
  options.sub = lib.mkOption {
    default = { };
    type = lib.types.submodule { imports = [ ./declare-enable.dcl ./define-enable.dcl ]; };
  };
}

{ lib, ... }:
{
  options.innerError = lib.mkOption {
    default = (lib.evalModules { prefix = [ "inner" ]; modules = [ ./declare-enable.dcl { enabel = true; } ]; }).config.enable;
  };
  options.innerLoc = lib.mkOption {
    default = (lib.evalModules { prefix = [ "inner" ]; modules = [ ./declare-enable.dcl ]; }).options.enable.loc;
  };
}

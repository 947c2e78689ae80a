{ lib, config, ... }:
let
  inner = lib.evalModules {
    modules = [
      ./declare-enable.dcl
      { enable = config.outerWants; }
    ];
  };
in
{
  options.outerWants = lib.mkOption { type = lib.types.bool; default = true; };
  options.innerEnable = lib.mkOption { type = lib.types.bool; default = inner.config.enable; };
  options.innerOptionNames = lib.mkOption { default = builtins.attrNames inner.options; };
}

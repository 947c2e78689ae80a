{ lib, ... }:
let
  moduleWithKey = { key = "disable-me"; config.positive.enable = true; config.negative.enable = true; };
  declares = { options.positive.enable = lib.mkEnableOption "positive"; options.negative.enable = lib.mkEnableOption "negative"; };
in
{
  imports = [ declares moduleWithKey ];
  disabledModules = [ ];
}

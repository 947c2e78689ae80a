{ lib, ... }:
{
  options.enable = lib.mkEnableOption "it";
  config.enabel = true;
}

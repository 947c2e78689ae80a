{ lib, ... }:
{
  options.attrsOfSub = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (lib.types.submodule { options.enable = lib.mkEnableOption "sub"; });
  };
}

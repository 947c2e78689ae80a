{ lib, ... }:
{
  options.settings = lib.mkOption {
    default = { };
    type = lib.types.submodule {
      freeformType = lib.types.attrsOf lib.types.int;
      options.port = lib.mkOption { type = lib.types.port; default = 22; };
    };
  };
  config.settings = { MaxSessions = 10; };
}

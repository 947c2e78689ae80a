{ lib, ... }:
{
  options.server = lib.mkOption {
    default = { port = 80; };
    type = lib.types.submodule {
      options.port = lib.mkOption { type = lib.types.port; default = 1; };
      options.host = lib.mkOption { type = lib.types.str; default = "localhost"; };
    };
  };
}

{ lib, ... }:
{
  options.listen = lib.mkOption {
    type = lib.types.either lib.types.port (lib.types.submodule { options.port = lib.mkOption { type = lib.types.port; }; options.addr = lib.mkOption { type = lib.types.str; default = "0.0.0.0"; }; });
  };
}

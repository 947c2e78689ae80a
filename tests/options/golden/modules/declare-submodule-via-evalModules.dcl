{ lib, ... }:
{
  options.submodule = lib.mkOption {
    default = { };
    type = (lib.evalModules {
      modules = [
        { options.inner = lib.mkOption { type = lib.types.bool; default = false; }; }
        { inner = true; }
      ];
    }).type;
  };
  config.submodule = { lib, ... }: {
    options.outer = lib.mkOption { type = lib.types.bool; default = false; };
    config.outer = true;
  };
}

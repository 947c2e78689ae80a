{ lib, options, ... }:
{
  options.free = lib.mkOption {
    default = { };
    type = lib.types.submodule {
      freeformType = lib.types.attrsOf (lib.types.submodule { options.foo = lib.mkOption { type = lib.types.int; default = 10; }; });
    };
  };
  config.free.xxx = { };
  config.free.yyy.foo = 11;
}

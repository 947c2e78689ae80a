{ lib, ... }:
{
  options.either = lib.mkOption {
    type = lib.types.either
      (lib.types.submodule { options.a = lib.mkOption { type = lib.types.int; default = 1; }; })
      (lib.types.submodule { options.b = lib.mkOption { type = lib.types.int; default = 2; }; });
  };
  options.oneOfSub = lib.mkOption {
    type = lib.types.oneOf [ lib.types.str (lib.types.submodule { options.c = lib.mkOption { type = lib.types.int; default = 3; }; }) ];
  };
}

{ lib, ... }:
{
  options.sub = lib.mkOption {
    default = { };
    type = lib.types.submodule ({ lib, extendModules, ... }: {
      options.value = lib.mkOption { type = lib.types.int; default = 1; };
      options.specialisation = lib.mkOption {
        default = { };
        inherit (extendModules { modules = [ { value = lib.mkForce 2; } ]; }) type;
      };
    });
  };
}

{ lib, ... }:
{
  options.users = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (
      lib.types.submodule (
        { name, config, ... }:
        {
          options.name = lib.mkOption { type = lib.types.str; default = name; };
          options.enable = lib.mkEnableOption "the user";
          options.home = lib.mkOption { type = lib.types.str; default = "/home/${config.name}"; };
        }
      )
    );
  };
}

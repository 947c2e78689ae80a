{ lib, ... }:
{
  options.named = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (lib.types.submodule ({ name, ... }: {
      options.myName = lib.mkOption { type = lib.types.str; default = name; };
    }));
  };
  options.single = lib.mkOption {
    default = { };
    type = lib.types.submodule ({ name, ... }: {
      options.myName = lib.mkOption { type = lib.types.str; default = name; };
    });
  };
  options.listed = lib.mkOption {
    default = [ ];
    type = lib.types.listOf (lib.types.submodule ({ config, ... }: {
      options.x = lib.mkOption { type = lib.types.int; };
      options.double = lib.mkOption { type = lib.types.int; default = config.x * 2; };
    }));
  };
  config.named.first = { };
  config.named.second.myName = "renamed";
  config.listed = [ { x = 1; } { x = 2; } ];
}

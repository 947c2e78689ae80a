{ lib, config, ... }:
{
  options.prefix = lib.mkOption { type = lib.types.str; default = "pre"; };
  options.items = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (lib.types.submodule ({ name, config, ... }: {
      options.label = lib.mkOption { type = lib.types.str; default = "${config.base}-${name}"; };
      options.base = lib.mkOption { type = lib.types.str; };
    }));
  };
  options.labels = lib.mkOption { type = lib.types.listOf lib.types.str; default = lib.mapAttrsToList (n: v: v.label) config.items; };
  config.items = lib.mapAttrs (n: v: { base = lib.mkDefault config.prefix; }) { one = 1; two = 2; };
}

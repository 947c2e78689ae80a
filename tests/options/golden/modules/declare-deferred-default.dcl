{ lib, config, ... }:
{
  options.defaults = lib.mkOption { type = lib.types.deferredModule; default = { }; };
  options.nodes = lib.mkOption {
    default = { };
    type = lib.types.lazyAttrsOf (lib.types.submodule {
      imports = [ config.defaults ];
      options.role = lib.mkOption { type = lib.types.str; default = "none"; };
    });
  };
  config.defaults = { lib, ... }: { options.shared = lib.mkOption { type = lib.types.str; default = "shared"; }; config.role = lib.mkDefault "worker"; };
  config.nodes.foo = { };
  config.nodes.bar.role = "leader";
}

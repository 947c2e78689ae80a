{ lib, config, ... }:
{
  options.domain = lib.mkOption { type = lib.types.str; default = "example.org"; };
  options.hosts = lib.mkOption {
    default = { };
    type = lib.types.attrsOf (
      lib.types.submodule ({ name, ... }: {
        options.fqdn = lib.mkOption { type = lib.types.str; default = "${name}.${config.domain}"; };
      })
    );
  };
}

{ lib, config, ... }:
let
  cfg = config.services.web;
in
{
  options.services.web = {
    enable = lib.mkEnableOption "the web server";
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
      description = "The TCP port to listen on.";
    };
    hosts = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Host names to answer for.";
    };
    vhosts = lib.mkOption {
      default = { };
      description = "Virtual hosts.";
      type = lib.types.attrsOf (
        lib.types.submodule (
          { name, ... }:
          {
            options.root = lib.mkOption {
              type = lib.types.str;
              defaultText = lib.literalExpression ''"/var/www/''${name}"'';
              default = "/var/www/${name}";
              description = "Document root of <name>.";
            };
          }
        )
      );
    };
    user = lib.mkOption {
      type = lib.types.str;
      default = if cfg.port < 1024 then "root" else "www";
      defaultText = lib.literalExpression ''if port < 1024 then "root" else "www"'';
      description = "The user the server runs as.";
    };
  };

  config = lib.mkIf cfg.enable {
    services.web.user = lib.mkDefault "www-data";
  };
}

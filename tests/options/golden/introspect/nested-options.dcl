# Options nested inside submodules, attrsOf and listOf (a proxy with sites).
{ lib, ... }:
let
  inherit (lib) mkOption types;
  location =
    { name, ... }:
    {
      options.proxyPass = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = ''
          Where requests for the location go, a URL such as `http://127.0.0.1:8080`;
          see {option}`services.proxy.sites.<name>.serverName`.

          ::: {.note}
          The path is **not** rewritten.
          :::
        '';
      };
      options.priority = mkOption {
        type = types.int;
        default = 1000;
        description = "Order among the locations of a site.";
      };
    };
  listen = {
    options.addr = mkOption {
      type = types.str;
      description = "Address to listen on.";
    };
    options.port = mkOption {
      type = types.port;
      default = 80;
      description = "Port to listen on.";
    };
  };
  site =
    { name, ... }:
    {
      options.serverName = mkOption {
        type = types.str;
        default = name;
        description = "The name the site answers to.";
      };
      options.locations = mkOption {
        type = types.attrsOf (types.submodule location);
        default = { };
        description = "Locations of the site, by path.";
      };
      options.listen = mkOption {
        type = types.listOf (types.submodule listen);
        default = [ ];
        description = "Where the site listens.";
      };
    };
in
{
  options.services.proxy = {
    sites = mkOption {
      type = types.attrsOf (types.submodule site);
      default = { };
      description = "Sites, by *name*: see <https://example.org/proxy>.";
    };
    settings = mkOption {
      type = types.submodule {
        freeformType = types.attrsOf types.str;
        options.LogLevel = mkOption {
          type = types.enum [
            "info"
            "debug"
          ];
          default = "info";
          description = "How much to log.";
        };
      };
      default = { };
      description = "Settings; any other name is passed on as it is.";
    };
    headers = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Headers added to every response.";
    };
    scripts = mkOption {
      type = types.attrsOf (
        types.coercedTo types.str (text: { inherit text; }) (
          types.submodule {
            options.text = mkOption {
              type = types.lines;
              description = "The script.";
            };
          }
        )
      );
      default = { };
      description = "Scripts, each a string or `{ text = …; }`.";
    };
    backup = mkOption {
      type = types.nullOr (
        types.submodule {
          options.dir = mkOption {
            type = types.str;
            description = "Where backups go.";
          };
        }
      );
      default = null;
      description = "Backups, if any.";
    };
  };
}

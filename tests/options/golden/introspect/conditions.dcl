{ lib, config, ... }:
let
  cfg = config.services.web;
in
{
  options.services.web = {
    enable = lib.mkEnableOption "the web server";
    tls = lib.mkEnableOption "TLS";
    port = lib.mkOption {
      type = lib.types.port;
      default = 8080;
    };
    banner = lib.mkOption {
      type = lib.types.lines;
      default = "";
    };
  };
  config = lib.mkMerge [
    { services.web.enable = true; }
    (lib.mkIf cfg.enable {
      services.web.port = lib.mkMerge [
        (lib.mkIf cfg.tls 443)
        (lib.mkIf (!cfg.tls) (lib.mkDefault 80))
      ];
    })
    (lib.mkIf (cfg.port == 80) { services.web.banner = "plain http"; })
    (lib.mkIf (cfg.port == 443) { services.web.banner = "https"; })
  ];
}

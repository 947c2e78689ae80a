{ config, lib, pkgs, ... }:
let
  cfg = config.services.web;
in
{
  options.services.web = {
    enable = lib.mkEnableOption "the web server";
    port = lib.mkOption { type = lib.types.port; default = 8080; };
  };
  config = lib.mkIf cfg.enable {
    environment.etc."web/config.json".text = builtins.toJSON { inherit (cfg) port; };
    users.users.web = { isSystemUser = true; group = "web"; };
    systemd.services.web.script = ''
      exec ${pkgs.web}/bin/web --port ${toString cfg.port}
    '';
  };
}

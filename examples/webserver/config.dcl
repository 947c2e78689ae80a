# A small web server: two sites on nginx (one static, one proxying to a
# local application), ssh with keys only, a firewall letting in ssh and
# http, a nightly backup job run by a timer, and a little sysctl tuning.
#
#   declos build examples/webserver/config.dcl
#   declos switch examples/webserver/config.dcl --root /tmp/web --dry-run
{ config, lib, pkgs, ... }:

{
  networking.hostName = "web";
  time.timeZone = "UTC";

  # Only ssh (services.openssh.openFirewall) and http get in.
  networking.firewall = {
    enable = true;
    allowedTCPPorts = [ 80 ];
  };

  services.openssh = {
    enable = true;
    settings = {
      PasswordAuthentication = false;
      KbdInteractiveAuthentication = false;
      PermitRootLogin = "no";
      AllowGroups = [ "wheel" ];
    };
  };

  services.nginx = {
    enable = true;
    recommendedOptimisation = true;
    recommendedGzipSettings = true;
    recommendedProxySettings = true;

    # The static site, copied into the store with the configuration.
    virtualHosts."example.org" = {
      default = true;
      serverAliases = [ "www.example.org" ];
      root = ./site;
      locations."/".tryFiles = "$uri $uri/ =404";
      locations."= /healthz".return = "200 'ok'";
    };

    # An application on 127.0.0.1:8080, behind nginx.
    virtualHosts."app.example.org" = {
      locations."/" = {
        proxyPass = "http://127.0.0.1:8080";
        proxyWebsockets = true;
      };
      locations."/static/".alias = "/srv/app/static/";
      extraConfig = ''
        client_max_body_size 50m;
      '';
    };
  };

  # A nightly archive of the application's data; `startAt` makes
  # site-backup.timer (OnCalendar=daily), wanted by timers.target.
  systemd.services.site-backup = {
    description = "Archive /srv/app";
    startAt = "daily";
    serviceConfig = {
      Type = "oneshot";
      Nice = 19;
    };
    script = ''
      mkdir -p /var/backups/site
      tar -czf "/var/backups/site/app-$(date +%F).tar.gz" -C /srv app
      find /var/backups/site -name 'app-*.tar.gz' -mtime +14 -delete
    '';
  };

  boot.kernel.sysctl = {
    "net.core.somaxconn" = 1024;
    "net.ipv4.tcp_syncookies" = true;
    "net.ipv4.conf.all.rp_filter" = 1;
    "net.ipv4.conf.default.accept_redirects" = false;
  };

  users.users.deploy = {
    isNormalUser = true;
    description = "Deploys the sites";
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keys = [
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl deploy@example"
    ];
  };

  system.stateVersion = "24.11";
}

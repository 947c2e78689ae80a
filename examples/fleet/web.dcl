# A web server of the fleet: nginx serving ./site, checked after every
# deploy by fetching its health page.
{ config, lib, ... }:

let
  port = config.services.nginx.defaultHTTPListenPort;
in
{
  services.nginx = {
    enable = true;
    recommendedOptimisation = true;
    virtualHosts.default = {
      default = true;
      root = ./site;
      locations."= /healthz".return = "200 'ok'";
    };
  };

  deployment.tags = [ "web" ];
  deployment.healthChecks = [
    { cmd = "curl -fsS --max-time 5 http://127.0.0.1:${toString port}/healthz"; timeout = 10; }
  ];
}

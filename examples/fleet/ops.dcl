# The operations host: a timer probing every web server of the fleet each
# five minutes, with their addresses read from the fleet itself (`nodes`).
{ config, lib, nodes, ... }:

let
  webs = lib.filterAttrs (_: n: builtins.elem "web" n.config.deployment.tags) nodes;
  url = n: "http://${n.config.deployment.targetHost}:${toString n.config.services.nginx.defaultHTTPListenPort}/healthz";
in
{
  systemd.services.probe-web = {
    description = "Probe the fleet's web servers";
    startAt = "*:0/5";
    serviceConfig.Type = "oneshot";
    script = lib.concatMapStrings (n: ''
      curl -fsS --max-time 5 ${lib.escapeShellArg (url n)} >/dev/null || echo "${n.config.networking.hostName} is down"
    '') (lib.attrValues webs);
  };

  deployment.healthChecks = [ "systemctl cat probe-web.timer >/dev/null" ];
}

# `team.healthcheck`: an hourly check writing the machine's state to
# /var/lib/acme-health/status, confined by an AppArmor profile.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.team.healthcheck;
in
{
  options.team.healthcheck = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether the hourly health check runs.";
    };
    schedule = mkOption {
      type = types.str;
      default = "hourly";
      description = "When the check runs (systemd.time(7) calendar syntax).";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.tmpfiles.rules = [ "d /var/lib/acme-health 0755 root root -" ];

    systemd.services.acme-health = {
      description = "ACME health check";
      startAt = cfg.schedule;
      serviceConfig.Type = "oneshot";
      script = ''
        {
          date -u +%FT%TZ
          systemctl is-system-running || true
        } > /var/lib/acme-health/status
      '';
    };

    security.apparmor.enable = true;
    security.apparmor.policies.acme-health.profile = ''
      abi <abi/3.0>,
      include <tunables/global>
      profile acme-health flags=(attach_disconnected) {
        include <abstractions/base>
        /{,usr/}bin/date ix,
        /{,usr/}bin/systemctl ix,
        /var/lib/acme-health/** w,
      }
    '';
  };
}

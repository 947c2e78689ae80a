# `services.timesyncd`: the host's systemd-timesyncd as the NTP client,
# with NixOS's options, in the drop-in
# /etc/systemd/timesyncd.conf.d/50-declos.conf (the distribution's
# timesyncd.conf stays).  Enabling it installs the host package
# systemd-timesyncd (`environment.hostPackages`), starts the service
# (enabled under multi-user.target) and restarts it when the drop-in
# changes.
#
#   services.timesyncd = { enable = true; servers = [ "ntp1.example.org" "ntp2.example.org" ]; };
#
# Unlike NixOS (enabled by default outside containers, with NixOS's pool
# servers), it is off by default (the distribution decides which NTP client
# runs) and `servers` defaults to the distribution's.  systemd-timesyncd
# does not run in containers (ConditionVirtualization=!container).
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.timesyncd;
  d = import ./daemon-lib.dcl { inherit lib; };
  unit = "systemd-timesyncd.service";
  name = d.dropInName "timesyncd";
  names = xs: if xs == null || xs == [ ] then null else lib.concatStringsSep " " xs;
  text = d.sectionText "Time" { NTP = names cfg.servers; FallbackNTP = names cfg.fallbackServers; } cfg.extraConfig;
  # One word of NTP=/FallbackNTP=; no backslash: a value ending in one
  # continues the line onto the next setting (systemd's config reader).
  serverType = types.strMatching "[^[:space:]\\\\]+";
in
{
  options.services.timesyncd = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether systemd-timesyncd synchronizes the clock (installed from the
        host's package systemd-timesyncd, started and enabled at boot).
      '';
    };
    servers = mkOption {
      type = types.listOf serverType;
      default = [ ];
      example = [ "0.debian.pool.ntp.org" "1.debian.pool.ntp.org" ];
      description = "The NTP servers (NTP=); empty: the distribution's.";
    };
    fallbackServers = mkOption {
      type = types.nullOr (types.listOf serverType);
      default = null;
      description = "The NTP servers used when no other is known (FallbackNTP=); null: the distribution's.";
    };
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = "PollIntervalMaxSec=180";
      description = "More lines of the [Time] section (timesyncd.conf(5)).";
    };
  };

  config = lib.mkIf cfg.enable {
    environment.hostPackages = [ "systemd-timesyncd" ];
    environment.etc = d.enableEntry unit // { ${name}.text = text; };
    system.activationScripts.timesyncd = d.applyScript {
      inherit unit;
      files = [ config.environment.etc.${name}.source ];
      start = true;
      package = "systemd-timesyncd";
    };
  };
}

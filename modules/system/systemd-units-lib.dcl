# Helpers of system/systemd.dcl and system/systemd-user.dcl (not a module):
# the submodules of `systemd.services`, `systemd.timers` and
# `systemd.sockets` (and their `systemd.user` twins), and the text of each
# kind of unit.  `toUnits` turns them into `systemd.units` entries.
#
#   u = import ./systemd-units-lib.dcl { inherit lib pkgs; };
#   u.serviceText "backup" config.systemd.services.backup
#   == "[Unit]\nDescription=…\n[Service]\nExecStart=/…-backup-start\n"
#
# As in NixOS, `script`, `preStart`, `postStart`, `reload`, `preStop` and
# `postStop` become store scripts that start with `set -e`: a failing
# command fails the unit.
{ lib, pkgs }:

let
  inherit (lib) mkOption types;
  sd = import ./systemd-lib.dcl { inherit lib; };
  checks = import ./checks-lib.dcl { inherit lib; };

  # The host's PATH, after the `path` packages: there is no package set
  # underneath, so services still need the distribution's tools.
  hostPath = [ "/usr/local/sbin" "/usr/local/bin" "/usr/sbin" "/usr/bin" "/sbin" "/bin" ];

  pathEntry = p: if lib.isDerivation p then [ "${p}/bin" "${p}/sbin" ] else [ "${p}" ];

  # NixOS's makeJobScript: `set -e`, then the text.
  jobScript = name: text:
    "${pkgs.writeShellScript (lib.strings.sanitizeDerivationName name) "set -e\n${text}"}";

  shellOption = what: mkOption {
    type = types.lines;
    default = "";
    description = "Shell commands ${what}, run by /bin/sh after `set -e` (a failing command fails the unit).";
  };

  # The settings of one section, typed as unit settings.
  sectionOption = example: description: mkOption {
    type = types.attrsOf sd.unitOption;
    default = { };
    inherit example description;
  };

  # A service's options but `_checkOrigins` (which reads the service's
  # own): made once, not again for each service.
  serviceOptions = sd.commonUnitOptions // {
    serviceConfig = sectionOption { Type = "oneshot"; RemainAfterExit = true; User = "nobody"; } ''
      Settings of the [Service] section: each `Key = value` becomes a
      line `Key=value`; a list repeats the key; booleans are yes/no.
    '';
    environment = mkOption {
      type = sd.envAttrs;
      default = { };
      example = { LANG = "C.UTF-8"; };
      description = "Environment variables of the service's processes (Environment=); null unsets one.";
    };
    path = mkOption {
      type = types.listOf (types.either types.package sd.unitStr);
      default = [ ];
      description = ''
        Packages whose bin/ and sbin/ (or directories, given as strings)
        come first on the service's PATH, before the host's
        /usr/local/sbin:…:/bin.  Empty leaves systemd's default PATH.
      '';
    };
    script = shellOption "run as the service (ExecStart=)";
    preStart = shellOption "run before `script` (ExecStartPre=)";
    postStart = shellOption "run after the service started (ExecStartPost=)";
    reload = shellOption "that reload the service (ExecReload=)";
    preStop = shellOption "run to stop the service (ExecStop=)";
    postStop = shellOption "run after the service stopped (ExecStopPost=)";
    startAt = mkOption {
      type = types.either sd.unitStr (types.listOf sd.unitStr);
      default = [ ];
      example = "Sun 14:00:00";
      description = ''
        When to start the service, in systemd.time(7) calendar syntax: a
        timer <name>.timer (OnCalendar=) wanted by timers.target is
        generated.  Empty means no timer.
      '';
    };
    restartIfChanged = mkOption {
      type = types.bool;
      default = true;
      description = "Whether the service is restarted at activation when its unit file changed.";
    };
    stopIfChanged = mkOption {
      type = types.bool;
      default = true;
      description = ''
        When the service changed: true stops the old one before the new
        one is started (needed when ExecStop belongs to the old unit);
        false restarts it in one step.
      '';
    };
    reloadIfChanged = mkOption {
      type = types.bool;
      default = false;
      description = "Whether a changed service is reloaded (ExecReload=) instead of restarted.";
    };
  };

  # The same for a timer's.
  timerOptions = sd.commonUnitOptions // {
    timerConfig = sectionOption { OnCalendar = "Sun 14:00:00"; Unit = "foo.service"; }
      "Settings of the [Timer] section (see systemd.timer(5)).";
  };

  # The same for a socket's.
  socketOptions = sd.commonUnitOptions // {
    listenStreams = mkOption {
      type = types.listOf sd.unitStr;
      default = [ ];
      example = [ "0.0.0.0:993" "/run/my-socket" ];
      description = "Addresses (a port, address:port, or a socket path) to listen on for a stream (ListenStream=).";
    };
    listenDatagrams = mkOption {
      type = types.listOf sd.unitStr;
      default = [ ];
      example = [ "0.0.0.0:993" "/run/my-socket" ];
      description = "Addresses to listen on for datagrams (ListenDatagram=).";
    };
    socketConfig = sectionOption { Accept = false; Service = "my-daemon.service"; }
      "Settings of the [Socket] section (see systemd.socket(5)).";
  };

in
rec {
  serviceOpts = { name, config, options, ... }: {
    options = serviceOptions // {
      _checkOrigins = sd.checkOriginsOption (sd.checkOrigins options config "serviceConfig"
        ++ checks.keyOrigins options.environment config.environment
          (k: v: lib.optionalString (v != null) "Environment=${sd.envAssignment k v}\n"));
    };

    config = {
      environment.PATH = lib.mkIf (config.path != [ ])
        (lib.concatStringsSep ":" (lib.concatMap pathEntry config.path ++ hostPath));
      serviceConfig = lib.mkMerge (lib.mapAttrsToList (opt: key:
        lib.mkIf (config.${opt} != "") { ${key} = jobScript "${name}-${opt}" config.${opt}; }
      ) {
        script = "ExecStart"; preStart = "ExecStartPre"; postStart = "ExecStartPost";
        reload = "ExecReload"; preStop = "ExecStop"; postStop = "ExecStopPost";
      });
    };
  };

  timerOpts = { name, config, options, ... }: {
    options = timerOptions // {
      _checkOrigins = sd.checkOriginsOption (sd.checkOrigins options config "timerConfig");
    };
  };

  socketOpts = { name, config, options, ... }: {
    options = socketOptions // {
      _checkOrigins = sd.checkOriginsOption (sd.checkOrigins options config "socketConfig"
        ++ map (k: checks.valueOrigin options.${k}
          (lib.concatMapStrings (a: "${if k == "listenStreams" then "ListenStream" else "ListenDatagram"}=${a}\n") config.${k}))
          [ "listenStreams" "listenDatagrams" ]);
    };
  };

  serviceText = name: s: ''
    [Unit]
    ${sd.unitSection s}
    [Service]
    ${lib.concatStrings (lib.mapAttrsToList (n: v: "Environment=${sd.envAssignment n v}\n")
        (lib.filterAttrs (_: v: v != null) s.environment))}${sd.attrsToSection s.serviceConfig}'';

  timerText = name: t: ''
    [Unit]
    ${sd.unitSection t}
    [Timer]
    ${sd.attrsToSection t.timerConfig}'';

  socketText = name: s: ''
    [Unit]
    ${sd.unitSection s}
    [Socket]
    ${lib.concatMapStrings (a: "ListenStream=${a}\n") s.listenStreams}${lib.concatMapStrings (a: "ListenDatagram=${a}\n") s.listenDatagrams}${sd.attrsToSection s.socketConfig}'';

  # `systemd.units` entries ("<name>.<suffix>") of the enabled units of one
  # kind, given the text function; `extra` adds unit settings (timers are
  # always restarted).
  toUnits = suffix: text: extra: units: lib.mapAttrs' (name: u: lib.nameValuePair "${name}.${suffix}" ({
    text = text name u;
    inherit (u) wantedBy requiredBy _checkOrigins;
    restartIfChanged = u.restartIfChanged or true;
    stopIfChanged = u.stopIfChanged or true;
    reloadIfChanged = u.reloadIfChanged or false;
  } // extra)) (lib.filterAttrs (_: u: u.enable) units);

  # The timers of services with `startAt`.
  startAtTimers = services: lib.mapAttrs (name: s: {
    wantedBy = [ "timers.target" ];
    timerConfig.OnCalendar = s.startAt;
  }) (lib.filterAttrs (_: s: s.enable && s.startAt != [ ]) services);
}

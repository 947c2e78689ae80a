# systemd units: `systemd.services.<name>` and `systemd.timers.<name>`, with
# NixOS's names and semantics (`script` becomes ExecStart, `path` the PATH,
# `startAt` a generated timer).  Each enabled unit is rendered into a store
# file; together they are `system.build.units` (linked as
# `<toplevel>/units/`), the entries of environment.etc under
# systemd/system/ (the unit, plus a link in <target>.wants/ for each
# `wantedBy` and <target>.requires/ for each `requiredBy`, as
# `systemctl enable` would make), and the manifest's "units".
#
#   systemd.services.backup = {
#     description = "Nightly backup";
#     path = [ pkgs.rsync ];            # any package with a bin/
#     script = "rsync -a /home /backup";
#     startAt = "daily";                # backup.timer, wanted by timers.target
#   };
#
# The unit files are checked with the host's `systemd-analyze verify` at
# build time (`systemd.checkUnits`): what the files themselves get wrong (a
# syntax error, an unknown section or key, a value systemd cannot parse)
# fails the build; what depends on the building host (a command or unit
# that is not there) does not.
{ config, options, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  sd = import ./systemd-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  # A unit's attribute name must make a unit file name systemd takes (it is
  # also a path under /etc/systemd/system).
  unitNameAssertions = kind: suffix: lib.mapAttrsToList (name: _: {
    assertion = builtins.match "[a-zA-Z0-9:_.@\\-]+" name != null;
    message = "The unit name ${chk.show "${name}.${suffix}"} of systemd.${kind}${chk.definedIn (chk.attrLocations options.systemd.${kind} name)} is not valid: only letters, digits and \":_.@-\" may be used.";
  }) cfg.${kind};
  checks = import ./checks-lib.dcl { inherit lib; };
  cfg = config.systemd;

  # The host's PATH, after the `path` packages: there is no package set
  # underneath, so services still need the distribution's tools.
  hostPath = [ "/usr/local/sbin" "/usr/local/bin" "/usr/sbin" "/usr/bin" "/sbin" "/bin" ];

  pathEntry = p: if lib.isDerivation p then [ "${p}/bin" "${p}/sbin" ] else [ "${p}" ];

  jobScript = name: text: "${pkgs.writeShellScript (lib.strings.sanitizeDerivationName name) text}";

  serviceOpts = { name, config, options, ... }: {
    options = sd.commonUnitOptions // {
      _checkOrigins = sd.checkOriginsOption (sd.checkOrigins options config "serviceConfig"
        ++ checks.keyOrigins options.environment config.environment
          (k: v: lib.optionalString (v != null) "Environment=${sd.envAssignment k v}\n"));
      serviceConfig = mkOption {
        type = types.attrsOf sd.unitOption;
        default = { };
        example = { Type = "oneshot"; RemainAfterExit = true; User = "nobody"; };
        description = ''
          Settings of the [Service] section: each `Key = value` becomes a
          line `Key=value`; a list repeats the key; booleans are yes/no.
        '';
      };
      environment = mkOption {
        type = types.attrsOf (types.nullOr (types.oneOf [ types.str types.path types.package types.int ]));
        default = { };
        example = { LANG = "C.UTF-8"; };
        description = "Environment variables of the service's processes (Environment=); null unsets one.";
      };
      path = mkOption {
        type = types.listOf (types.either types.package types.str);
        default = [ ];
        description = ''
          Packages whose bin/ and sbin/ (or directories, given as strings)
          come first on the service's PATH, before the host's
          /usr/local/sbin:…:/bin.  Empty leaves systemd's default PATH.
        '';
      };
      script = mkOption {
        type = types.lines;
        default = "";
        description = "Shell commands run as the service (ExecStart= of a /bin/sh script).";
      };
      preStart = mkOption {
        type = types.lines;
        default = "";
        description = "Shell commands run before `script` (ExecStartPre=).";
      };
      postStart = mkOption {
        type = types.lines;
        default = "";
        description = "Shell commands run after the service started (ExecStartPost=).";
      };
      startAt = mkOption {
        type = types.either types.str (types.listOf types.str);
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

    config = {
      environment.PATH = lib.mkIf (config.path != [ ])
        (lib.concatStringsSep ":" (lib.concatMap pathEntry config.path ++ hostPath));
      serviceConfig = lib.mkMerge [
        (lib.mkIf (config.script != "") { ExecStart = jobScript "${name}-start" config.script; })
        (lib.mkIf (config.preStart != "") { ExecStartPre = jobScript "${name}-pre-start" config.preStart; })
        (lib.mkIf (config.postStart != "") { ExecStartPost = jobScript "${name}-post-start" config.postStart; })
      ];
    };
  };

  timerOpts = { name, config, options, ... }: {
    options = sd.commonUnitOptions // {
      _checkOrigins = sd.checkOriginsOption (sd.checkOrigins options config "timerConfig");
      timerConfig = mkOption {
        type = types.attrsOf sd.unitOption;
        default = { };
        example = { OnCalendar = "Sun 14:00:00"; Unit = "foo.service"; };
        description = "Settings of the [Timer] section (see systemd.timer(5)).";
      };
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

  # unit file name -> { unit options; text; } for every enabled unit
  units =
    lib.mapAttrs' (name: s: lib.nameValuePair "${name}.service" (s // { text = serviceText name s; }))
      (lib.filterAttrs (_: s: s.enable) cfg.services)
    // lib.mapAttrs' (name: t: lib.nameValuePair "${name}.timer" (t // { text = timerText name t; restartIfChanged = true; stopIfChanged = true; }))
      (lib.filterAttrs (_: t: t.enable) cfg.timers);

  unitFiles = lib.mapAttrs (unit: u: pkgs.writeText "unit-${lib.strings.sanitizeDerivationName unit}" u.text) units;

  # systemd-analyze verify on every unit at once.  Errors located in a unit
  # file (and units refused for a bad setting) fail; lines about what the
  # building host lacks (a command, a unit) do not; anything else means
  # verify could not run here.
  check = pkgs.checkConfigFile {
    name = "units";
    program = "systemd-analyze";
    what = "systemd-analyze verify";
    hint = "systemd.checkUnits = false";
    files = lib.mapAttrsToList (unit: _: { target = "/etc/systemd/system/${unit}"; source = unitFiles.${unit}; }) units;
    command = ''
      isolated "$program" verify --man=no --recursive-errors=no "$PWD"/etc/systemd/system/* >verify.out 2>&1
      status=$?
      cat verify.out
      [ "$status" -ne 0 ] || exit 0
      if grep -q -E -e "^$PWD/etc/systemd/system/[^:]+:[0-9]+: |bad unit file setting|has fatal error|Refusing" verify.out; then
        exit 1
      fi
      other=$(grep -v -E -e "is not executable|not found|^$" verify.out | head -n 1)
      [ -n "$other" ] || exit 0
      echo "systemd-analyze verify cannot run on this build host: $other" >.not-run
      exit 1
    '';
    origin = "systemd.services and systemd.timers";
    origins = lib.concatLists (lib.mapAttrsToList
      (unit: u: map (o: o // { target = "/etc/systemd/system/${unit}"; }) u._checkOrigins) units);
  };

  etcEntries = lib.concatLists (lib.mapAttrsToList (unit: u:
    let file = unitFiles.${unit}; in
    [ { name = "systemd/system/${unit}"; value.source = file; } ]
    ++ map (t: { name = "systemd/system/${t}.wants/${unit}"; value.source = file; }) u.wantedBy
    ++ map (t: { name = "systemd/system/${t}.requires/${unit}"; value.source = file; }) u.requiredBy
  ) units);

in
{
  options.systemd = {
    services = mkOption {
      type = types.attrsOf (types.submodule serviceOpts);
      default = { };
      description = "systemd services, each rendered to <name>.service.";
    };
    timers = mkOption {
      type = types.attrsOf (types.submodule timerOpts);
      default = { };
      description = "systemd timers, each rendered to <name>.timer.";
    };
    maskedUnits = mkOption {
      type = types.listOf sd.unitName;
      default = [ ];
      example = [ "ssh.service" "ssh.socket" ];
      description = ''
        Units of the host distribution masked while this configuration is
        active (`/etc/systemd/system/<unit>` links to /dev/null, as
        `systemctl mask`): a running one is stopped at activation, and a
        later generation without the mask gives the unit back to the
        distribution (started again if it enables it).
      '';
    };
    checkUnits = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether the unit files are checked with the host's
        `systemd-analyze verify` when the system is built: a unit file
        that systemd would refuse or misread (a syntax error, an unknown
        section or key, a value it cannot parse) then fails the build,
        naming the definition that wrote the line.  What only the target
        has (the commands of ExecStart=, other units) is not required on
        the building host.  Without systemd-analyze there the check is
        reported as not run.
      '';
    };
  };

  config = {
    systemd.timers = lib.mapAttrs (name: s: {
      wantedBy = [ "timers.target" ];
      timerConfig.OnCalendar = s.startAt;
    }) (lib.filterAttrs (_: s: s.enable && s.startAt != [ ]) cfg.services);

    environment.etc = lib.listToAttrs etcEntries // lib.listToAttrs (map (unit: {
      name = "systemd/system/${unit}";
      value.source = "/dev/null";
    }) cfg.maskedUnits);

    assertions = unitNameAssertions "services" "service" ++ unitNameAssertions "timers" "timer" ++ map (unit: {
      assertion = !(units ? ${unit});
      message = "systemd.maskedUnits lists ${unit}, which this configuration also defines.";
    }) cfg.maskedUnits;

    system.checks = lib.optional (cfg.checkUnits && units != { }) check;

    system.build.units = pkgs.linkFarm "units" (lib.mapAttrs (unit: _: unitFiles.${unit}) units);

    system.build.unitsManifest = lib.mapAttrs (unit: u: {
      source = "${unitFiles.${unit}}";
      inherit (u) wantedBy restartIfChanged stopIfChanged;
      reloadIfChanged = u.reloadIfChanged or false;
    }) units;
  };
}

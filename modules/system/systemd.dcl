# systemd units: `systemd.services.<name>`, `systemd.timers.<name>` and
# `systemd.sockets.<name>`, with NixOS's names and semantics (`script`
# becomes ExecStart of a `set -e` script, `path` the PATH, `startAt` a
# generated timer).  Each kind is turned into `systemd.units."<name>.<kind>"`
# (NixOS's option: other modules add mounts and swaps there, and a unit can
# be given as text); every enabled unit is rendered into a store file;
# together they are `system.build.units` (linked as `<toplevel>/units/`),
# the entries of environment.etc under systemd/system/ (the unit, plus a
# link in <target>.wants/ for each `wantedBy` and <target>.requires/ for
# each `requiredBy`, as `systemctl enable` would make), and the manifest's
# "units".  User units are system/systemd-user.dcl.
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
  u = import ./systemd-units-lib.dcl { inherit lib pkgs; };
  cfg = config.systemd;

  # unit file name -> its `systemd.units` entry, for every enabled unit
  units = lib.filterAttrs (_: x: x.enable) cfg.units;

  unitFiles = lib.mapAttrs (unit: x: pkgs.writeText "unit-${lib.strings.sanitizeDerivationName unit}" x.text) units;

  check = pkgs.checkConfigFile {
    name = "units";
    program = "systemd-analyze";
    what = "systemd-analyze verify";
    hint = "systemd.checkUnits = false";
    files = lib.mapAttrsToList (unit: _: { target = "/etc/systemd/system/${unit}"; source = unitFiles.${unit}; }) units;
    command = sd.verifyCommand "system";
    origin = "systemd.services, systemd.timers, systemd.sockets and systemd.units";
    origins = lib.concatLists (lib.mapAttrsToList
      (unit: x: map (o: o // { target = "/etc/systemd/system/${unit}"; }) x._checkOrigins) units);
  };

  etcEntries = lib.concatLists (lib.mapAttrsToList (unit: x:
    let file = unitFiles.${unit}; in
    [ { name = "systemd/system/${unit}"; value.source = file; } ]
    ++ map (t: { name = "systemd/system/${t}.wants/${unit}"; value.source = file; }) x.wantedBy
    ++ map (t: { name = "systemd/system/${t}.requires/${unit}"; value.source = file; }) x.requiredBy
  ) units);

in
{
  options.systemd = {
    services = mkOption {
      type = types.attrsOf (types.submodule u.serviceOpts);
      default = { };
      description = "systemd services, each rendered to <name>.service.";
    };
    timers = mkOption {
      type = types.attrsOf (types.submodule u.timerOpts);
      default = { };
      description = "systemd timers, each rendered to <name>.timer.";
    };
    sockets = mkOption {
      type = types.attrsOf (types.submodule u.socketOpts);
      default = { };
      example = lib.literalExpression ''
        { my-daemon = { wantedBy = [ "sockets.target" ]; listenStreams = [ "/run/my-daemon.sock" ]; }; }
      '';
      description = ''
        systemd sockets, each rendered to <name>.socket; a connection
        starts <name>.service (or the socket's `Service=`).  A changed
        socket is stopped with its service and started again.
      '';
    };
    units = sd.unitsOption ''
      Unit files by file name (`"foo.service"`): what the services,
      timers, sockets, file systems and swap devices are rendered to, and
      units given as text.  Each lands in /etc/systemd/system, with links
      in <target>.wants/ and <target>.requires/.
    '';
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
    systemd.timers = u.startAtTimers cfg.services;

    systemd.units = u.toUnits "service" u.serviceText { } cfg.services
      // u.toUnits "timer" u.timerText { restartIfChanged = true; stopIfChanged = true; } cfg.timers
      // u.toUnits "socket" u.socketText { } cfg.sockets;

    environment.etc = lib.listToAttrs etcEntries // lib.listToAttrs (map (unit: {
      name = "systemd/system/${unit}";
      value.source = "/dev/null";
    }) cfg.maskedUnits);

    assertions = unitNameAssertions "services" "service" ++ unitNameAssertions "timers" "timer"
      ++ unitNameAssertions "sockets" "socket" ++ lib.mapAttrsToList (name: _: {
        # a name made from a service, timer or socket is checked above
        assertion = sd.isUnitFileName name || lib.any (kind: lib.any (n: name == "${n}.${lib.removeSuffix "s" kind}")
          (builtins.attrNames cfg.${kind})) [ "services" "timers" "sockets" ];
        message = "The unit file name ${chk.show name} of systemd.units${chk.definedIn (chk.attrLocations options.systemd.units name)} is not valid: a name of letters, digits, \":_.@-\" and \\x escapes, then a unit type (.service, .socket, .mount, …).";
      }) cfg.units ++ map (unit: {
      assertion = !(units ? ${unit});
      message = "systemd.maskedUnits lists ${unit}, which this configuration also defines.";
    }) cfg.maskedUnits;

    system.checks = lib.optional (cfg.checkUnits && units != { }) check;

    system.build.units = pkgs.linkFarm "units" (lib.mapAttrs (unit: _: unitFiles.${unit}) units);

    system.build.unitsManifest = lib.mapAttrs (unit: x: {
      source = "${unitFiles.${unit}}";
      inherit (x) wantedBy restartIfChanged stopIfChanged reloadIfChanged;
    }) units;
  };
}

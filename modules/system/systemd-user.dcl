# User units: `systemd.user.services.<name>`, `systemd.user.timers.<name>`
# and `systemd.user.units`, with NixOS's names: the same options as the
# system's (system/systemd-units-lib.dcl), rendered into
# /etc/systemd/user/<unit>, with links in /etc/systemd/user/<target>.wants/
# (`wantedBy = [ "default.target" ]`: every user's manager starts it).
#
#   systemd.user.services.notes-sync = {
#     wantedBy = [ "default.target" ];
#     script = "rsync -a ~/notes/ backup:notes/";
#     startAt = "hourly";
#   };
#
# As in NixOS, activation does not restart users' units: on the live
# system it asks every running user manager to reload its units and to
# start default.target, so new units wanted by it start; a changed or
# removed unit keeps running until the user's next login (or `systemctl
# --user restart`).  The files are checked with `systemd-analyze verify`
# (`systemd.checkUnits`).
{ config, options, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  sd = import ./systemd-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };
  u = import ./systemd-units-lib.dcl { inherit lib pkgs; };
  cfg = config.systemd.user;

  units = lib.filterAttrs (_: x: x.enable) cfg.units;

  unitFiles = lib.mapAttrs (unit: x: pkgs.writeText "user-unit-${lib.strings.sanitizeDerivationName unit}" x.text) units;

  check = pkgs.checkConfigFile {
    name = "user-units";
    program = "systemd-analyze";
    what = "systemd-analyze verify";
    hint = "systemd.checkUnits = false";
    files = lib.mapAttrsToList (unit: _: { target = "/etc/systemd/user/${unit}"; source = unitFiles.${unit}; }) units;
    command = sd.verifyCommand "user";
    origin = "systemd.user.services, systemd.user.timers and systemd.user.units";
    origins = lib.concatLists (lib.mapAttrsToList
      (unit: x: map (o: o // { target = "/etc/systemd/user/${unit}"; }) x._checkOrigins) units);
  };

  # Running user managers (those with a private socket under /run/user)
  # reload their unit files and start default.target; a failure is
  # reported, never a failed activation: the users' units are theirs.
  reloadScript = ''
    if [ "$DECLOS_ROOT" = / ] && [ -d /run/systemd/system ]; then
      for dir in /run/user/*; do
        [ -S "$dir/systemd/private" ] || continue
        uid=''${dir##*/}
        name=$(getent passwd "$uid" | cut -d: -f1)
        [ -n "$name" ] || continue
        if ! runuser -u "$name" -- env XDG_RUNTIME_DIR="$dir" sh -c \
            'systemctl --user daemon-reload && systemctl --user start default.target' 2>&1; then
          echo "warning: the systemd user manager of $name could not reload its units"
        fi
      done
    fi
  '';
in
{
  options.systemd.user = {
    services = mkOption {
      type = types.attrsOf (types.submodule u.serviceOpts);
      default = { };
      description = ''
        systemd user services (run by every user's systemd manager), each
        rendered to /etc/systemd/user/<name>.service.  `wantedBy = [
        "default.target" ]` starts one when its user logs in.
      '';
    };
    timers = mkOption {
      type = types.attrsOf (types.submodule u.timerOpts);
      default = { };
      description = "systemd user timers, each rendered to /etc/systemd/user/<name>.timer.";
    };
    units = sd.unitsOption ''
      User unit files by file name (`"foo.service"`), what the user
      services and timers are rendered to, in /etc/systemd/user.
    '';
  };

  config = lib.mkMerge [
    {
      systemd.user.timers = u.startAtTimers cfg.services;
      systemd.user.units = u.toUnits "service" u.serviceText { } cfg.services
        // u.toUnits "timer" u.timerText { } cfg.timers;
    }
    (lib.mkIf (units != { }) {
      environment.etc = lib.listToAttrs (lib.concatLists (lib.mapAttrsToList (unit: x:
        let file = unitFiles.${unit}; in
        [ { name = "systemd/user/${unit}"; value.source = file; } ]
        ++ map (t: { name = "systemd/user/${t}.wants/${unit}"; value.source = file; }) x.wantedBy
        ++ map (t: { name = "systemd/user/${t}.requires/${unit}"; value.source = file; }) x.requiredBy
      ) units));

      assertions = lib.concatMap (kind: lib.mapAttrsToList (name: _: {
        assertion = builtins.match "[a-zA-Z0-9:_.@\\-]+" name != null;
        message = "The unit name ${chk.show name} of systemd.user.${kind}${chk.definedIn (chk.attrLocations options.systemd.user.${kind} name)} is not valid: only letters, digits and \":_.@-\" may be used.";
      }) cfg.${kind}) [ "services" "timers" ]
      ++ lib.mapAttrsToList (name: _: {
        assertion = sd.isUnitFileName name || lib.any (kind: lib.any (n: name == "${n}.${lib.removeSuffix "s" kind}")
          (builtins.attrNames cfg.${kind})) [ "services" "timers" ];
        message = "The unit file name ${chk.show name} of systemd.user.units${chk.definedIn (chk.attrLocations options.systemd.user.units name)} is not valid: a name of letters, digits and \":_.@-\", then a unit type (.service, .timer, …).";
      }) cfg.units;

      system.checks = lib.optional config.systemd.checkUnits check;

      system.activationScripts.systemd-user-units = reloadScript;
    })
  ];
}

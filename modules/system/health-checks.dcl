# `system.healthChecks.<name>`: commands that must succeed after a switch
# on the live system, like greenboot's required checks on rpm-ostree
# systems (/etc/greenboot/check/required.d).  After activation has started
# and checked the units (declos/system/health.py), each check runs on the
# host, as root, in the order of the names; a failing `required` check
# fails the activation, so the switch puts the previous generation back
# (`--keep-failed` keeps the new one, and exits 1); a failing check with
# `required = false` (greenboot's wanted.d) is only reported.
#
#   system.healthChecks.web = "curl -fsS http://127.0.0.1/ >/dev/null";
#   system.healthChecks.disk = { script = "test $(df --output=pcent / | tail -1 | tr -dc 0-9) -lt 95"; required = false; };
#
# Each is the file /etc/declos/health-checks/{required,wanted}.d/<name>, a
# script that runs the check under `timeout` (so an administrator can run
# it by hand), and the plan and `declos diff` list it.  Checks do not run
# on a root that is not the live system, nor during the boot-time
# activation (declos-activate.service runs before the services are up).
{ config, options, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  chk = import ../config/checks-lib.dcl { inherit lib; };
  cfg = config.system.healthChecks;

  checkOpts = { name, ... }: {
    options = {
      script = mkOption {
        type = types.lines;
        description = "Shell commands (run by /bin/sh -e): the check passes when they exit 0.";
      };
      required = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether a failure rolls the switch back (greenboot's required.d);
          false only reports it (wanted.d).
        '';
      };
      timeout = mkOption {
        type = types.ints.positive;
        default = 60;
        description = "Seconds the check may take; a check still running then has failed.";
      };
    };
  };

  checkFile = name: c: pkgs.writeShellScript "health-check-${lib.strings.sanitizeDerivationName name}" ''
    # declos health check "${name}" (system.healthChecks), ${if c.required then "required" else "wanted"}
    exec timeout --kill-after=5 ${toString c.timeout} /bin/sh -e ${pkgs.writeText "health-check-${lib.strings.sanitizeDerivationName name}-script" c.script}
  '';
in
{
  options.system.healthChecks = mkOption {
    type = types.attrsOf (types.coercedTo types.str (script: { inherit script; }) (types.submodule checkOpts));
    default = { };
    example = lib.literalExpression ''
      { web = "curl -fsS http://127.0.0.1/ >/dev/null";
        backup-mount = { script = "mountpoint -q /backup"; required = false; timeout = 10; }; }
    '';
    description = ''
      Checks run after every switch, test and rollback on the live system,
      once the units have started: a shell script each (or
      `{ script; required; timeout; }`).  A failing required check puts the
      previous generation back.
    '';
  };

  config = lib.mkIf (cfg != { }) {
    environment.etc = lib.mapAttrs' (name: c: lib.nameValuePair
      "declos/health-checks/${if c.required then "required" else "wanted"}.d/${name}"
      { source = checkFile name c; }) cfg;

    assertions = lib.mapAttrsToList (name: _: {
      assertion = builtins.match "[A-Za-z0-9_][A-Za-z0-9_.@+-]*" name != null && builtins.stringLength name <= 200;
      message = "The health check name ${chk.show name}${chk.definedIn (chk.attrLocations options.system.healthChecks name)} is not valid: letters, digits and \"_.@+-\", not starting with \".\" or \"-\".";
    }) cfg;
  };
}

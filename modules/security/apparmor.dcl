# `security.apparmor`: profiles declared as `policies.<name>` become
# /etc/apparmor.d/<name> (the host's apparmor service loads them at boot);
# a policy with `enforce = false` is also listed in
# /etc/apparmor.d/force-complain/, so it is loaded in complain mode.  On
# the live system, where AppArmor is enabled in the kernel, activation
# (re)loads the declared profiles with apparmor_parser.
#
#   security.apparmor.enable = true;
#   security.apparmor.policies.myapp.profile = ''
#     abi <abi/3.0>,
#     include <tunables/global>
#     profile myapp /usr/bin/myapp {
#       include <abstractions/base>
#       /etc/myapp/** r,
#     }
#   '';
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.security.apparmor;
  chk = import ../config/checks-lib.dcl { inherit lib; };
  at = name: chk.definedIn (chk.attrLocations options.security.apparmor.policies name);

  policyOpts = { name, config, ... }: {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the policy is installed and loaded.";
      };
      enforce = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the policy is enforced; false loads it in complain mode (violations are only logged).";
      };
      profile = mkOption {
        type = types.nullOr types.lines;
        default = null;
        description = "The text of the policy (apparmor.d(5)); or give `path`.";
      };
      path = mkOption {
        type = types.nullOr types.path;
        default = null;
        description = "A file holding the policy, instead of `profile`.";
      };
    };
  };

  enabled = lib.filterAttrs (_: p: p.enable) cfg.policies;

  source = name: p:
    if p.path != null then p.path
    else pkgs.writeText "apparmor-${lib.strings.sanitizeDerivationName name}" p.profile;

  loadScript = lib.concatStrings (lib.mapAttrsToList (name: p: ''
    apparmor_parser --replace --write-cache ${lib.optionalString (!p.enforce) "--complain "}${lib.escapeShellArg "/etc/apparmor.d/${name}"} \
      || echo "apparmor: could not load /etc/apparmor.d/${name}" >&2
  '') enabled);
in
{
  options.security.apparmor = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether the declared AppArmor policies are installed (and, on the
        live system, loaded).  The kernel and the host's apparmor package
        provide AppArmor itself.
      '';
    };

    policies = mkOption {
      type = types.attrsOf (types.submodule policyOpts);
      default = { };
      description = "AppArmor policies, each written to /etc/apparmor.d/<name>.";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = lib.mapAttrsToList (name: p: {
      assertion = (p.profile == null) != (p.path == null);
      message = "security.apparmor.policies.${chk.show name}: exactly one of `profile` and `path` must be set${at name}.";
    }) enabled
    ++ map (name: {
      assertion = builtins.match "[A-Za-z0-9_][A-Za-z0-9_.+-]*" name != null && !(lib.hasSuffix ".dpkg-new" name);
      message = "security.apparmor.policies.${chk.show name}: the name is a file name under /etc/apparmor.d (letters, digits, \".\", \"_\", \"+\", \"-\")${at name}.";
    }) (builtins.attrNames enabled);

    environment.etc = lib.mkMerge (lib.mapAttrsToList (name: p:
      { "apparmor.d/${name}".source = source name p; }
      // lib.optionalAttrs (!p.enforce) { "apparmor.d/force-complain/${name}".source = source name p; }
    ) enabled);

    system.activationScripts.apparmor = lib.mkIf (enabled != { }) ''
      if [ "''${DECLOS_ROOT:-/}" = / ] && [ -d /sys/kernel/security/apparmor ] \
         && command -v apparmor_parser >/dev/null 2>&1; then
      ${loadScript}
      fi
    '';
  };
}

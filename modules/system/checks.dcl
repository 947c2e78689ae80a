# `system.checks` (NixOS's name): derivations the toplevel depends on, to
# validate the configuration at build time.  Modules add the checks of the
# files they generate (`pkgs.checkConfigFile`: sudoers with visudo, sshd_config
# with sshd -t, nginx.conf with nginx -t, the firewall ruleset with nft -c, the
# units with systemd-analyze verify); a failing check fails the build, so
# `declos switch` stops before anything is activated.
#
# The toplevel links each check as `<toplevel>/checks/<name>` (the
# derivation's name without "check-"); `declos switch` and `declos build`
# read the statuses there and print one line for each check that was
# "not run" (its program is missing, or cannot run on the build host).
{ config, lib, pkgs, ... }:

let
  names = map (d: lib.removePrefix "check-" (d.name or "check")) checks;
  checks = lib.unique config.system.checks;
  # A name taken by two different checks gets the position as a suffix.
  entry = i: d:
    let n = builtins.elemAt names (i - 1); in {
      name = if lib.count (x: x == n) names > 1 then "${n}-${toString i}" else n;
      path = d;
    };
in
{
  options.system.checks = lib.mkOption {
    type = lib.types.listOf lib.types.package;
    default = [ ];
    example = lib.literalExpression ''[ (pkgs.runCommand "check-motd" { } "grep -q Welcome ''${./motd} && echo passed > $out") ]'';
    description = ''
      Derivations that the system's build depends on, to validate parts of
      the configuration: when one fails to build, so does the toplevel,
      and nothing is activated.  Each is linked as
      `<toplevel>/checks/<name>`; an output that is one line starting
      with "not run:" is reported by `declos switch` and `declos build`.
    '';
  };

  config.system.build.checks = pkgs.linkFarm "checks" (lib.imap1 entry checks);
}

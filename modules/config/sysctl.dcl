# `boot.kernel.sysctl` -> /etc/sysctl.d/60-declos.conf, read by
# systemd-sysctl at boot.  On the live system (`--root /`) activation also
# applies the file with `sysctl -p` when sysctl is there.
#
#   boot.kernel.sysctl = {
#     "net.ipv4.ip_forward" = true;        # 1
#     "vm.swappiness" = 10;
#     "kernel.sysrq" = null;               # not set by declos
#   };
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  chk = import ./checks-lib.dcl { inherit lib; };

  # Keys and values are written as `KEY = VALUE` lines, so a line end in
  # either (`"1\nkernel.modules_disabled = 1"`) would add a setting of the
  # definer's choice.  A key is a sysctl.d(5) name: "." or "/" separated
  # words (an interface's name may hold "@", "+", "%", ":"), glob(7)
  # characters, and an optional leading "-" (failures ignored); never a
  # blank, "=", "#", ";" or line end.
  keyRegex = "-?[A-Za-z0-9_*?[][]A-Za-z0-9_.*?/@+%:![-]*";
  sysctlStr = chk.singleLineStr "sysctlStr" "sysctl value (a string without line ends)";

  settings = lib.filterAttrs (_: v: v != null) config.boot.kernel.sysctl;

  render = v:
    if v == true then "1"
    else if v == false then "0"
    else toString v;

  text = lib.concatStrings (lib.mapAttrsToList (k: v: "${k} = ${render v}\n") settings);
in
{
  options.boot.kernel.sysctl = mkOption {
    type = types.attrsOf (types.nullOr (types.oneOf [ types.bool types.int sysctlStr ]));
    default = { };
    example = { "net.ipv4.tcp_syncookies" = false; "vm.swappiness" = 60; };
    description = ''
      Runtime parameters of the Linux kernel, as set by sysctl(8), written
      to /etc/sysctl.d/60-declos.conf.  A boolean is 1 or 0; null leaves
      the parameter out (to undo a definition of another module).  A name
      is "."- or "/"-separated (glob patterns and a leading "-" as
      sysctl.d(5) has them), a string value one line.
    '';
  };

  config = lib.mkIf (settings != { }) {
    # The names are attribute names, which no option type sees.
    assertions = map (k: {
      assertion = builtins.match keyRegex k != null;
      message = "boot.kernel.sysctl.${chk.show k}${chk.definedIn (chk.attrLocations options.boot.kernel.sysctl k)}: not a sysctl name (\".\"- or \"/\"-separated letters, digits, \"_\", \"-\", glob characters, an optional leading \"-\"; no blank, \"=\" or line end).";
    }) (builtins.attrNames settings);

    environment.etc."sysctl.d/60-declos.conf".text = text;

    system.activationScripts.sysctl = ''
      if [ "''${DECLOS_ROOT:-/}" = / ] && command -v sysctl >/dev/null 2>&1; then
        sysctl -q -e -p /etc/sysctl.d/60-declos.conf || echo "sysctl: some parameters could not be set" >&2
      fi
    '';
  };
}

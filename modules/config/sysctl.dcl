# `boot.kernel.sysctl` -> /etc/sysctl.d/60-declos.conf, read by
# systemd-sysctl at boot.  On the live system (`--root /`) activation also
# applies the file with `sysctl -p` when sysctl is there.
#
#   boot.kernel.sysctl = {
#     "net.ipv4.ip_forward" = true;        # 1
#     "vm.swappiness" = 10;
#     "kernel.sysrq" = null;               # not set by declos
#   };
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;

  settings = lib.filterAttrs (_: v: v != null) config.boot.kernel.sysctl;

  render = v:
    if v == true then "1"
    else if v == false then "0"
    else toString v;

  text = lib.concatStrings (lib.mapAttrsToList (k: v: "${k} = ${render v}\n") settings);
in
{
  options.boot.kernel.sysctl = mkOption {
    type = types.attrsOf (types.nullOr (types.oneOf [ types.bool types.int types.str ]));
    default = { };
    example = { "net.ipv4.tcp_syncookies" = false; "vm.swappiness" = 60; };
    description = ''
      Runtime parameters of the Linux kernel, as set by sysctl(8), written
      to /etc/sysctl.d/60-declos.conf.  A boolean is 1 or 0; null leaves
      the parameter out (to undo a definition of another module).
    '';
  };

  config = lib.mkIf (settings != { }) {
    environment.etc."sysctl.d/60-declos.conf".text = text;

    system.activationScripts.sysctl = ''
      if [ "''${DECLOS_ROOT:-/}" = / ] && command -v sysctl >/dev/null 2>&1; then
        sysctl -q -e -p /etc/sysctl.d/60-declos.conf || echo "sysctl: some parameters could not be set" >&2
      fi
    '';
  };
}

# `system.etc.overlay.enable`: /etc as an overlay filesystem, NixOS's
# idea on any distribution.  The generation's etc (through /etc/static,
# which activation keeps pointing at it) is the top lower layer, the
# distribution's own /etc the bottom one, and — with `mutable` — changes
# go to the writable upper layer /.rw-etc/upper (work directory
# /.rw-etc/work), so the lower layers stay as declared.
#
# declos generates the mount unit etc.mount (wanted by local-fs.target,
# so systemd mounts it at boot of the live system) and, at activation,
# the directories in the target root.  The unit is not in the manifest's
# "units": declos never mounts over /etc of a running system, nor of a
# target root (`--root`), where nothing is mounted.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.system.etc.overlay;

  options = lib.concatStringsSep "," (
    [ "lowerdir=/etc/static:/etc" ]
    ++ lib.optionals cfg.mutable [ "upperdir=/.rw-etc/upper" "workdir=/.rw-etc/work" ]
    ++ lib.optional (!cfg.mutable) "ro"
  );

  unit = pkgs.writeText "unit-etc.mount" ''
    [Unit]
    Description=declos /etc overlay (system.etc.overlay)
    DefaultDependencies=no
    Conflicts=umount.target
    Before=local-fs.target umount.target
    ${lib.optionalString cfg.mutable "RequiresMountsFor=/.rw-etc\n"}
    [Mount]
    What=overlay
    Where=/etc
    Type=overlay
    Options=${options}
  '';
in
{
  options.system.etc.overlay = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether /etc is mounted as an overlay filesystem at boot: the
        declared files above the distribution's /etc.  The mount unit
        and its directories are generated; the mount happens only when
        the live system boots.
      '';
    };

    mutable = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether the overlay has a writable upper layer (/.rw-etc/upper);
        false mounts /etc read-only.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    system.build.etcOverlayUnit = unit;

    environment.etc."systemd/system/etc.mount".source = unit;
    environment.etc."systemd/system/local-fs.target.wants/etc.mount".source = unit;

    system.activationScripts.etc-overlay = lib.mkIf cfg.mutable ''
      root="''${DECLOS_ROOT:-/}"
      mkdir -p "$root/.rw-etc/upper" "$root/.rw-etc/work"
      chmod 0755 "$root/.rw-etc" "$root/.rw-etc/upper"
    '';
  };
}

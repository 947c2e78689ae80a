# `environment.systemPackages`: the packages of the system profile, merged
# into one tree with buildEnv (`system.path`, linked as `<toplevel>/sw`).
# Activation links /run/current-system to the active toplevel, so
# /run/current-system/sw is the stable name of that tree: it is a profile
# (`environment.profiles`), put on PATH by shells-environment.dcl and on
# sudo's secure_path by sudo.dcl, only when there are packages.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
in
{
  options = {
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = lib.literalExpression ''[ (pkgs.writeShellScriptBin "hello" "echo hello") ]'';
      description = ''
        The packages installed in the system profile: their trees are merged
        into `<toplevel>/sw` (bin/, share/, …), which is
        /run/current-system/sw on the switched system.  Its bin/ and sbin/
        come first on the PATH of login shells, systemd user sessions and
        sudo.  When two provide the same file, the first in the list wins.
      '';
    };

    system.path = mkOption {
      type = types.package;
      internal = true;
      readOnly = true;
      description = "The merged tree of `environment.systemPackages` (the manifest's \"packages\").";
    };
  };

  config = {
    system.path = pkgs.buildEnv {
      name = "system-path";
      paths = config.environment.systemPackages;
      ignoreCollisions = true;
    };

    environment.profiles = lib.mkIf (config.environment.systemPackages != [ ]) (lib.mkAfter [ "/run/current-system/sw" ]);
  };
}

# `environment.systemPackages`: the packages of the system profile, merged
# into one tree with buildEnv (`system.path`, linked as `<toplevel>/sw`).
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
        into `<toplevel>/sw` (bin/, share/, …).  When two provide the same
        file, the first in the list wins.
      '';
    };

    system.path = mkOption {
      type = types.package;
      internal = true;
      readOnly = true;
      description = "The merged tree of `environment.systemPackages` (the manifest's \"packages\").";
    };
  };

  config.system.path = pkgs.buildEnv {
    name = "system-path";
    paths = config.environment.systemPackages;
    ignoreCollisions = true;
  };
}

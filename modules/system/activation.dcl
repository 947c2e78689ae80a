# `system.activationScripts.<name>`: shell snippets declos/system runs (with
# `sh -e`, `DECLOS_ROOT` set) at every activation, after /etc, users and
# units are in place, in the order their `deps` give (ties by name).  Each
# is written to the store as a script; the manifest lists them by name.
#
#   system.activationScripts.motd = "echo hello > $DECLOS_ROOT/run/motd";
#   system.activationScripts.cache = { text = "..."; deps = [ "motd" ]; };
{ config, options, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;
  chk = import ../config/checks-lib.dcl { inherit lib; };

  scripts = config.system.activationScripts;

  scriptType = types.submodule {
    options = {
      text = mkOption {
        type = types.lines;
        description = "The body of the script (run by `sh -e`).";
      };
      deps = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Names of the activation scripts this one runs after.";
      };
    };
  };

  storeName = name: "activate-${lib.strings.sanitizeDerivationName name}";
in
{
  options.system.activationScripts = mkOption {
    type = types.attrsOf (types.coercedTo types.str (text: { inherit text; }) scriptType);
    default = { };
    example = lib.literalExpression ''
      { stdio.text = "mkdir -p \"$DECLOS_ROOT/var/cache/app\"";
        report = { text = "echo done"; deps = [ "stdio" ]; };
      }
    '';
    description = ''
      Shell scripts run at activation, a string or `{ text; deps ? [ ]; }`
      each.  They must be idempotent: they run at every switch and
      rollback.  Definitions of one name are concatenated.
    '';
  };

  config = {
    assertions = lib.mapAttrsToList (name: _: {
      assertion = chk.isSingleLine name && name != "";
      message = "The activation script name ${chk.show name}${chk.definedIn (chk.attrLocations options.system.activationScripts name)} is not valid: it must be one line.";
    }) scripts ++ lib.concatLists (lib.mapAttrsToList (name: s: map (dep: {
      assertion = scripts ? ${dep};
      message = "system.activationScripts.${name} depends on \"${dep}\", which is not an activation script.";
    }) s.deps) scripts);

    system.build.activationScripts = lib.mapAttrsToList (name: s: {
      inherit name;
      deps = lib.sort builtins.lessThan (lib.unique s.deps);
      script = "${pkgs.writeShellScript (storeName name) s.text}";
    }) scripts;
  };
}

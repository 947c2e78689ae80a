# The system toplevel: `system.build.toplevel`, the store path a generation
# is (DESIGN.md, "The system toplevel and its manifest"):
#
#   <toplevel>/manifest.json   what declos/system activates (the contract)
#   <toplevel>/etc             the etc link farm      (config/etc.dcl)
#   <toplevel>/sw              environment.systemPackages (config/system-path.dcl)
#   <toplevel>/units           the systemd unit files (system/systemd.dcl)
#   <toplevel>/checks          the statuses of `system.checks` (system/checks.dcl)
#   <toplevel>/activate        a note: activation is declos' job, not a script
#
# Also `assertions` and `warnings` (NixOS semantics: a failed assertion makes
# the toplevel throw, listing every failed message), `system.stateVersion`,
# `system.configurationFile`, and `_module.args.pkgs` (`<declos/pkgs>`) so
# that modules can take `pkgs` as NixOS modules do.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption types;

  cfg = config.system;

  failedAssertions = map (a: a.message) (builtins.filter (a: !a.assertion) config.assertions);

  # Throws, listing every failed assertion, or returns `x`.
  checkAssertions = x:
    if failedAssertions != [ ] then
      throw "Failed assertions:\n${lib.concatMapStringsSep "\n" (m: "- ${m}") failedAssertions}"
    else x;

  manifest = {
    version = 1;
    system = {
      inherit (cfg) stateVersion;
      hostName = config.networking.hostName;
      configurationFile =
        if cfg.configurationFile == null then null else "${cfg.configurationFile}";
    };
    etc = cfg.build.etcManifest;
    inherit (cfg.build) users groups activationScripts;
    units = cfg.build.unitsManifest;
    mutableUsers = config.users.mutableUsers;
    packages = "${cfg.path}";
    assertionsChecked = true;
    inherit (config) warnings;
  } // lib.optionalAttrs ((cfg.build.hostPackages or { }) != { }) {
    inherit (cfg.build) hostPackages;  # config/host-packages.dcl
  } // lib.optionalAttrs ((cfg.build.shells or [ ]) != [ ]) {
    inherit (cfg.build) shells;  # config/users-groups.dcl, checked by declos/system/shells.py
  };

  manifestFile = pkgs.writeText "manifest.json" (builtins.toJSON manifest);

  activateNote = pkgs.writeText "activate" ''
    This generation is activated by declos itself (`declos switch`,
    `declos switch-generation`), from manifest.json; there is nothing to run.
  '';

  toplevel = pkgs.linkFarm "declos-system${lib.optionalString (config.networking.hostName != null) "-${config.networking.hostName}"}" [
    { name = "manifest.json"; path = manifestFile; }
    { name = "etc"; path = cfg.build.etc; }
    { name = "sw"; path = cfg.path; }
    { name = "units"; path = cfg.build.units; }
    { name = "checks"; path = cfg.build.checks; }
    { name = "activate"; path = activateNote; }
  ];

in
{
  options = {
    system.build = mkOption {
      default = { };
      description = ''
        Attribute set of derivations used to set up the system.  Modules
        add their own (`system.build.etc`, `system.build.units`, …); the
        one to build is `toplevel`.
      '';
      type = types.submoduleWith {
        modules = [{
          freeformType = with types; lazyAttrsOf (uniq unspecified);
          options.toplevel = mkOption {
            type = types.package;
            readOnly = true;
            description = ''
              The store path of the whole system: manifest.json, etc, sw,
              units.  Evaluating it checks `assertions`.
            '';
          };
        }];
      };
    };

    system.stateVersion = mkOption {
      type = types.str;
      default = lib.trivial.release;
      defaultText = lib.literalExpression "lib.trivial.release";
      example = "24.11";
      description = ''
        The declos release with which this system's stateful data (files
        under /var, user ids, …) was first created.  Modules may keep old
        defaults for older values; change it only after reading the
        release notes.
      '';
    };

    system.configurationFile = mkOption {
      type = types.nullOr (types.either types.path types.str);
      default = null;
      example = lib.literalExpression "./config.dcl";
      description = ''
        The configuration file this system was built from, recorded in
        the manifest (a path is copied into the store); null records
        nothing.
      '';
    };

    assertions = mkOption {
      type = types.listOf types.unspecified;
      internal = true;
      default = [ ];
      example = [{ assertion = false; message = "you can't enable this for that reason"; }];
      description = ''
        Conditions that must hold for the system to build, each
        `{ assertion = bool; message = str; }`.  When any is false,
        evaluating `system.build.toplevel` fails with
        "Failed assertions:" and every failed message.
      '';
    };

    warnings = mkOption {
      type = types.listOf types.str;
      internal = true;
      default = [ ];
      example = [ "The `foo' service is deprecated and will go away soon!" ];
      description = ''
        Messages printed by `declos build` and `declos switch`, and kept
        in the manifest; they do not stop the build.
      '';
    };
  };

  config = {
    _module.args.pkgs = lib.mkDefault (import <declos/pkgs>);

    system.build.toplevel = checkAssertions toplevel;
    system.build.manifest = checkAssertions manifestFile;
  };
}

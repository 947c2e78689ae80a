# `environment.hostPackages`: packages of the host distribution, declared.
# The switch installs them with the host's package manager (apt on Debian
# and Ubuntu, dnf on Fedora, zypper on openSUSE) and removes those it
# installed once they are no longer declared, never one installed by hand
# (declos/system/packages.py; DESIGN.md "Host packages").  A host package
# in `environment.systemPackages` or a user's `packages` (`pkgs.htop`,
# `with pkgs; [ vim ]`) is added here by system-path.dcl.
#
#   environment.hostPackages = [ "htop" "git" ];
#   environment.hostPackageManager = "apt";   # default: detected from /etc/os-release
#
# The manifest's "hostPackages" (only when something is declared) is
# `{ manager; packages = { NAME = [ "FILE:LINE" … ]; }; }`: each name with
# the definitions that declare it, so that a name the manager cannot
# resolve at the switch is reported at its line.
{ config, lib, options, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.environment;

  # What apt, dnf and zypper take as a package name, and nothing they would
  # read as an option, a version, a release, a pattern or a removal
  # ("-x", "x=1", "x/stable", "x*", "x-"); Debian's multiarch ":arch" is kept.
  nameRegex = "[A-Za-z0-9_]([A-Za-z0-9_.+-]{0,253}[A-Za-z0-9_.+])?(:[a-z0-9]+)?";

  packageName = types.strMatching nameRegex // {
    name = "hostPackageName";
    description = "package name of the host distribution (letters, digits and \"_.+-\", not starting with \"-\", \".\" or \"+\", not ending in \"-\"; an optional \":arch\")";
    descriptionClass = "noun";
  };

  showDef = (import ../system/checks-lib.dcl { inherit lib; }).showDefinition;

  systemPath = toString ./system-path.dcl;
  isHost = p: builtins.isAttrs p && p ? hostPackage;

  # [ { name; loc; } ]: where each declared name comes from.  The names
  # system-path.dcl adds from packages are credited to the definitions of
  # those packages.
  direct = lib.concatMap
    (d: if toString d.file == systemPath then [ ] else map (n: { name = n; loc = showDef d; }) d.value)
    (options.environment.hostPackages.definitionsWithLocations or [ ]);
  fromSystemPackages = lib.concatMap
    (d: map (p: { name = p.hostPackage; loc = showDef d; }) (builtins.filter isHost d.value))
    (options.environment.systemPackages.definitionsWithLocations or [ ]);
  fromUsers = lib.concatMap
    (u: map (p: { name = p.hostPackage; loc = "users.users.${u.name}.packages"; })
      (builtins.filter isHost u.packages))
    (lib.attrValues config.users.users);

  origins = lib.foldl'
    (acc: e: acc // { ${e.name} = lib.unique ((acc.${e.name} or [ ]) ++ [ e.loc ]); })
    { } (direct ++ fromSystemPackages ++ fromUsers);

  declared = lib.listToAttrs (map (n: {
    name = n;
    value = origins.${n} or [ "environment.hostPackages" ];
  }) (lib.unique cfg.hostPackages));
in
{
  options.environment = {
    hostPackages = mkOption {
      type = types.listOf packageName;
      default = [ ];
      example = [ "htop" "git" ];
      description = ''
        Packages of the host distribution, by the names its package manager
        knows.  `declos switch` installs the missing ones with the host's
        manager (`hostPackageManager`) before the new /etc and units are in
        place, and removes, after them, those it installed that are no
        longer declared (their dependencies too, unless something else
        needs them).  A package installed by hand, or before it was
        declared, is never removed: one that was installed as a dependency
        goes back to being one.  A name the manager cannot resolve fails
        the switch before anything changes.  Rollback and
        switch-generation install and remove as their generation declares.
        The host packages of `environment.systemPackages` and
        `users.users.<name>.packages` (`pkgs.htop`) are added here.
      '';
    };

    hostPackageManager = mkOption {
      type = types.nullOr (types.enum [ "apt" "dnf" "zypper" ]);
      default = null;
      example = "apt";
      description = ''
        The package manager installing `hostPackages`.  null: detected on
        the root being switched, from its /etc/os-release (`ID` and
        `ID_LIKE`: debian and ubuntu use apt; fedora, rhel and centos dnf;
        opensuse and suse zypper), else from the programs it has.
      '';
    };
  };

  config.system.build.hostPackages = lib.optionalAttrs (declared != { } || cfg.hostPackageManager != null) {
    manager = cfg.hostPackageManager;
    packages = declared;
  };
}

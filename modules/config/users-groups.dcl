# Users and groups: `users.users.<name>`, `users.groups.<name>`,
# `users.mutableUsers`, with NixOS's options, defaults and assertions.
# The manifest's "users" and "groups" (`system.build.users`/`groups`) are
# what declos/system merges into /etc/passwd, /etc/group and /etc/shadow;
# a group's "members" there include every user listing it in
# `extraGroups`, as NixOS computes them.
#
# Nothing reaches those files unchecked: names match useradd's pattern
# (assertions naming the definition's file and line), every other field is
# a `passwdEntry` (no colon, no line end, no NUL), homes and shells are
# normalized absolute paths, ids are 0 … 2^32-2 (type errors).
{ config, lib, options, modulesPath, ... }:

let
  inherit (lib) mkOption mkDefault types;

  chk = import ./checks-lib.dcl { inherit lib; };

  cfg = config.users;

  # 2^32-1 is (uid_t) -1, "no id", to the kernel and to chown.
  idType = types.ints.between 0 4294967294;

  # A user's options but `name` and `_definitions` (which depend on the
  # user): made once, not again for each element of users.users.
  userOptions = {
    description = mkOption {
      type = chk.passwdEntry types.str;
      default = "";
      example = "Alice Q. User";
      description = "A short description of the account (the GECOS field).";
    };
    uid = mkOption {
      type = types.nullOr idType;
      default = null;
      description = "The account's user id; null lets declos choose one and keep it stable.";
    };
    isSystemUser = mkOption {
      type = types.bool;
      default = false;
      description = ''
        A system account (for a service): its uid is chosen below 1000.
        Exactly one of isSystemUser and isNormalUser must be set, unless
        `uid` is set.
      '';
    };
    isNormalUser = mkOption {
      type = types.bool;
      default = false;
      description = ''
        An account for a real person: sets `group` to "users",
        `createHome` to true, `home` to /home/<name> and `useDefaultShell`
        to true (all as defaults), and a uid from 1000 up.
      '';
    };
    group = mkOption {
      type = types.str;
      default = "";
      description = "The user's primary group; it must be declared in `users.groups`.";
    };
    extraGroups = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "wheel" ];
      description = "The user's auxiliary groups; each must be declared in `users.groups`.";
    };
    home = mkOption {
      type = chk.passwdEntry chk.absolutePath;
      default = "/var/empty";
      description = "The user's home directory.";
    };
    createHome = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to create the home directory (owned by the user) if it does not exist.";
    };
    useDefaultShell = mkOption {
      type = types.bool;
      default = false;
      description = "Whether the shell is `users.defaultUserShell`, unless `shell` is set.";
    };
    shell = mkOption {
      type = chk.passwdEntry chk.absolutePath;
      default = "/usr/sbin/nologin";
      example = "/bin/zsh";
      description = ''
        The user's login shell: a path on the target system, or a
        package's file.  A shell the configuration sets must exist on the
        target root when the switch is planned (or come from a package
        declos installs, as programs.zsh's zsh), else the switch fails
        before anything changes, naming the definition.
      '';
    };
    hashedPassword = mkOption {
      type = types.nullOr (chk.passwdEntry types.str);
      default = null;
      description = ''
        The password hash (as `mkpasswd` prints it) for /etc/shadow.  Null
        leaves the password alone (locked for a new account).  The hash
        ends up in the world-readable store: `hashedPasswordFile` keeps it
        out.
      '';
    };
    hashedPasswordFile = mkOption {
      type = types.nullOr chk.absolutePath;
      default = null;
      example = "/etc/secrets/alice.hash";
      description = ''
        The full path, on the target system, of a file holding the user's
        password hash (one line, as `mkpasswd` prints it), read at every
        activation, so that the hash never enters the store.  A missing,
        unreadable or malformed file fails the activation before anything
        changes.  Not together with `hashedPassword`.
      '';
    };
    openssh.authorizedKeys.keys = mkOption {
      type = types.listOf types.singleLineStr;
      default = [ ];
      description = "SSH public keys that may log in as this user.";
    };
  };

  userOpts = { name, config, options, ... }: {
    options = userOptions // {
      name = mkOption {
        type = chk.passwdEntry types.str;
        default = name;
        description = ''
          The name of the user account (the attribute name by default): it
          must match useradd's pattern `[a-z_][a-z0-9_-]*$?` and be at most
          32 characters long.
        '';
      };
      _definitions = mkOption {
        type = types.unspecified;
        internal = true;
        visible = false;
        readOnly = true;
        default = { inherit (options) name group extraGroups hashedPassword hashedPasswordFile shell; };
        description = "Where some options were defined, for the assertions' messages.";
      };
    };

    config = lib.mkMerge [
      (lib.mkIf config.isNormalUser {
        group = mkDefault "users";
        createHome = mkDefault true;
        home = mkDefault "/home/${config.name}";
        useDefaultShell = mkDefault true;
      })
      (lib.mkIf config.useDefaultShell { shell = mkDefault cfg.defaultUserShell; })
    ];
  };

  groupOpts = { name, options, ... }: {
    options = {
      name = mkOption {
        type = chk.passwdEntry types.str;
        default = name;
        description = ''
          The name of the group (the attribute name by default): it must
          match useradd's pattern `[a-z_][a-z0-9_-]*$?` and be at most 32
          characters long.
        '';
      };
      gid = mkOption {
        type = types.nullOr idType;
        default = null;
        description = "The group id; null lets declos choose one and keep it stable.";
      };
      members = mkOption {
        type = types.listOf (chk.passwdEntry types.str);
        default = [ ];
        description = "Users in this group besides those listing it in `extraGroups`.";
      };
      _definitions = mkOption {
        type = types.unspecified;
        internal = true;
        visible = false;
        readOnly = true;
        default = { inherit (options) name members; };
        description = "Where some options were defined, for the assertions' messages.";
      };
    };
  };

  users = lib.attrValues cfg.users;
  groups = lib.attrValues cfg.groups;

  groupExists = g: cfg.groups ? ${g};

  # The name that reaches passwd or group: the attribute name, unless
  # `name` is set.  An attribute name is checked by an assertion that names
  # the line defining the entry, never forced through `name`'s type (whose
  # default is a definition in this file).
  accountName = key: a: if a._definitions.name.highestPrio < 1500 then a.name else key;

  nameAssertion = what: parent: key: a:
    let
      n = accountName key a;
      problem = chk.nameProblem n;
    in
    {
      assertion = problem == null;
      message = "The ${what} ${chk.show n}${chk.definedIn (chk.nameLocations parent key a._definitions.name n)} is not valid, ${toString problem}.";
    };

  # NixOS's uniqueness check: ids set twice (null ids are allocated later).
  unique = ids: let set = lib.filter (i: i != null) ids; in builtins.length set == builtins.length (lib.unique set);

  userAssertions = key: u:
    let
      p = lib.showOption [ "users" "users" key ];
      defs = u._definitions;
    in
    [
      (nameAssertion "username" options.users.users key u)
      {
        assertion = (u.isSystemUser || (u.uid != null && u.uid < 1000)) != u.isNormalUser;
        message = "Exactly one of ${p}.isSystemUser and ${p}.isNormalUser must be set.";
      }
      {
        assertion = u.group != "";
        message = ''
          ${p}.group is unset. For example you can create a group for this user with:
          ${p}.group = ${chk.show key};
          ${lib.showOption [ "users" "groups" key ]} = {};'';
      }
      {
        assertion = u.group == "" || groupExists u.group;
        message = "${p}.group is ${chk.show u.group}${chk.definedIn (chk.optionLocations defs.group (v: v == u.group))}, a group that is not declared: add ${lib.showOption [ "users" "groups" u.group ]} = { };";
      }
      {
        assertion = u.hashedPassword == null || u.hashedPasswordFile == null;
        message = "The user ${chk.show key} has both `hashedPassword'${chk.definedIn (chk.optionLocations defs.hashedPassword (v: v != null))} and `hashedPasswordFile'${chk.definedIn (chk.optionLocations defs.hashedPasswordFile (v: v != null))} set to a non-null value: set only one.";
      }
    ] ++ map (g: {
      assertion = groupExists g;
      message = "${p}.extraGroups contains ${chk.show g}${chk.definedIn (chk.optionLocations defs.extraGroups (v: builtins.isList v && builtins.elem g v))}, a group that is not declared: add ${lib.showOption [ "users" "groups" g ]} = { };";
    }) u.extraGroups;

  # Where a user's shell was chosen, when the configuration chose it (not a
  # default of the module library, which names the distribution's own
  # shells): "users.users.alice.shell (defined in FILE:LINE)" or
  # "users.defaultUserShell (defined in …)"; else null.  Activation checks
  # such a shell on the target root (declos/system/shells.py).
  inLibrary = d: lib.hasPrefix "${toString modulesPath}/" (toString d.file);
  chosenBy = opt: builtins.filter (d: !inLibrary d) (opt.definitionsWithLocations or [ ]);
  shellOrigin = key: u:
    let
      own = chosenBy u._definitions.shell;
      viaDefault = chosenBy options.users.defaultUserShell;
      shown = prefix: defs: "${prefix}, defined in ${lib.concatMapStringsSep ", " (d: "${toString d.file}${lib.optionalString (d.line or null != null) ":${toString d.line}"}") defs}";
    in
    if own != [ ] then shown (lib.showOption [ "users" "users" key "shell" ]) own
    else if viaDefault != [ ] && toString u.shell == toString cfg.defaultUserShell then shown "users.defaultUserShell" viaDefault
    else null;

  groupAssertions = key: g:
    [ (nameAssertion "group name" options.users.groups key g) ]
    ++ map (m: {
      assertion = chk.nameProblem m == null;
      message = "${lib.showOption [ "users" "groups" key "members" ]} contains ${chk.show m}${chk.definedIn (chk.optionLocations g._definitions.members (v: builtins.isList v && builtins.elem m v))}, which is not a valid user name: ${toString (chk.nameProblem m)}.";
    }) g.members;

in
{
  options.users = {
    users = mkOption {
      type = types.attrsOf (types.submodule userOpts);
      default = { };
      example = lib.literalExpression ''
        { alice = { isNormalUser = true; extraGroups = [ "wheel" ]; description = "Alice"; }; }
      '';
      description = "The user accounts of the system.";
    };
    groups = mkOption {
      type = types.attrsOf (types.submodule groupOpts);
      default = { };
      example = lib.literalExpression "{ students.gid = 1001; hackers = { }; }";
      description = "The groups of the system.";
    };
    mutableUsers = mkOption {
      type = types.bool;
      default = true;
      description = ''
        When true, accounts may also be changed outside declos (passwd,
        useradd), and a user's password is set from `hashedPassword` only
        when declos creates the account.  When false, /etc/passwd, /etc/group
        and /etc/shadow entries of declared accounts are exactly the
        configuration's at every activation.
      '';
    };
    defaultUserShell = mkOption {
      type = chk.passwdEntry chk.absolutePath;
      default = "/bin/bash";
      description = ''
        The shell of users with `useDefaultShell` (every normal user by
        default) and of root.  A shell the configuration sets here must
        exist on the target root (or come from a package declos installs:
        `programs.zsh.enable` installs zsh), else the switch fails before
        anything changes, naming this definition.
      '';
    };
    hostShells = mkOption {
      type = types.attrsOf types.str;
      internal = true;
      default = { };
      example = { "/bin/zsh" = "zsh"; };
      description = ''
        Shells provided by a package of `environment.hostPackages`, by path
        (programs.zsh adds zsh's): a user may name one before the switch
        installs it.
      '';
    };
    enforceIdUniqueness = mkOption {
      type = types.bool;
      default = true;
      description = "Whether two users (or two groups) with the same explicit id are an error.";
    };
  };

  config = {
    users.users = {
      root = {
        uid = 0;
        description = "System administrator";
        home = "/root";
        createHome = mkDefault true;
        shell = mkDefault cfg.defaultUserShell;
        group = "root";
      };
      nobody = {
        uid = 65534;
        isSystemUser = true;
        description = "Unprivileged account (don't use!)";
        group = "nogroup";
      };
    };

    # The groups every distribution has and users are commonly put in; ids
    # only where they agree everywhere (others keep the host's, or are
    # allocated).
    users.groups = {
      root.gid = 0;
      users.gid = 100;
      nogroup.gid = 65534;
    } // lib.genAttrs [ "wheel" "audio" "video" "input" "dialout" "kvm" "render" ] (_: { });

    assertions = [{
      assertion = !cfg.enforceIdUniqueness || (unique (map (u: u.uid) users) && unique (map (g: g.gid) groups));
      message = "UIDs and GIDs must be unique!";
    }] ++ lib.concatLists (lib.mapAttrsToList userAssertions cfg.users)
      ++ lib.concatLists (lib.mapAttrsToList groupAssertions cfg.groups);

    system.build.users = lib.listToAttrs (map (u: {
      inherit (u) name;
      value = {
        inherit (u) uid group extraGroups createHome description hashedPassword
          isSystemUser isNormalUser;
        # A path value names a file of the target system: never copied.
        home = toString u.home;
        shell = if builtins.isPath u.shell then toString u.shell else "${u.shell}";
        hashedPasswordFile = if u.hashedPasswordFile == null then null else toString u.hashedPasswordFile;
        authorizedKeys = u.openssh.authorizedKeys.keys;
      };
    }) users);

    # The shells the configuration chose, for the check at activation.
    system.build.shells = lib.concatLists (lib.mapAttrsToList (key: u:
      let origin = shellOrigin key u; shell = toString u.shell; in
      lib.optional (origin != null) {
        user = u.name;
        inherit shell origin;
        hostPackage = cfg.hostShells.${shell} or null;
      }) cfg.users);

    system.build.groups = lib.listToAttrs (map (g: {
      inherit (g) name;
      value = {
        inherit (g) gid;
        members = lib.sort builtins.lessThan (lib.unique (g.members
          ++ map (u: u.name) (lib.filter (u: builtins.elem g.name u.extraGroups) users)));
      };
    }) groups);
  };
}

# Users and groups: `users.users.<name>`, `users.groups.<name>`,
# `users.mutableUsers`, with NixOS's options, defaults and assertions.
# The manifest's "users" and "groups" (`system.build.users`/`groups`) are
# what declos/system merges into /etc/passwd, /etc/group and /etc/shadow;
# a group's "members" there include every user listing it in
# `extraGroups`, as NixOS computes them.
{ config, lib, ... }:

let
  inherit (lib) mkOption mkDefault types;

  cfg = config.users;

  userOpts = { name, config, options, ... }: {
    options = {
      name = mkOption {
        type = types.str;
        default = name;
        description = "The name of the user account (the attribute name by default).";
      };
      description = mkOption {
        type = types.str;
        default = "";
        example = "Alice Q. User";
        description = "A short description of the account (the GECOS field).";
      };
      uid = mkOption {
        type = types.nullOr types.int;
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
        type = types.str;
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
        type = types.either types.path types.str;
        default = "/usr/sbin/nologin";
        example = "/bin/zsh";
        description = "The user's login shell (a path on the target system, or a package's file).";
      };
      hashedPassword = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = ''
          The password hash (as `mkpasswd` prints it) for /etc/shadow.  Null
          leaves the password alone (locked for a new account).
        '';
      };
      openssh.authorizedKeys.keys = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "SSH public keys that may log in as this user.";
      };
      _groupDefinitions = mkOption {
        type = types.unspecified;
        internal = true;
        visible = false;
        readOnly = true;
        default = { inherit (options) group extraGroups; };
        description = "Where `group` and `extraGroups` were defined, for the assertions' messages.";
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

  groupOpts = { name, ... }: {
    options = {
      name = mkOption {
        type = types.str;
        default = name;
        description = "The name of the group (the attribute name by default).";
      };
      gid = mkOption {
        type = types.nullOr types.int;
        default = null;
        description = "The group id; null lets declos choose one and keep it stable.";
      };
      members = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Users in this group besides those listing it in `extraGroups`.";
      };
    };
  };

  users = lib.attrValues cfg.users;
  groups = lib.attrValues cfg.groups;

  groupExists = g: cfg.groups ? ${g};

  # " (defined in FILE:LINE, …)" for the definitions of an option whose
  # value satisfies `pred`, or "" when none is known.
  definedAt = opt: pred:
    let
      defs = builtins.filter (d: pred d.value) (opt.definitionsWithLocations or [ ]);
      show = d: "${toString d.file}${lib.optionalString (d.line or null != null) ":${toString d.line}"}";
    in
    lib.optionalString (defs != [ ]) " (defined in ${lib.concatMapStringsSep ", " show defs})";

  # NixOS's uniqueness check: ids set twice (null ids are allocated later).
  unique = ids: let set = lib.filter (i: i != null) ids; in builtins.length set == builtins.length (lib.unique set);

  userAssertions = u: [
    {
      assertion = (u.isSystemUser || (u.uid != null && u.uid < 1000)) != u.isNormalUser;
      message = "Exactly one of users.users.${u.name}.isSystemUser and users.users.${u.name}.isNormalUser must be set.";
    }
    {
      assertion = u.group != "";
      message = ''
        users.users.${u.name}.group is unset. For example you can create a group for this user with:
        users.users.${u.name}.group = "${u.name}";
        users.groups.${u.name} = {};'';
    }
    {
      assertion = u.group == "" || groupExists u.group;
      message = "users.users.${u.name}.group is \"${u.group}\"${definedAt u._groupDefinitions.group (v: v == u.group)}, a group that is not declared: add users.groups.${u.group} = { };";
    }
    {
      assertion = u.hashedPassword == null || builtins.match ".*:.*" u.hashedPassword == null;
      message = "The password hash of users.users.${u.name}.hashedPassword contains a \":\" character, which would break /etc/shadow.";
    }
  ] ++ map (g: {
    assertion = groupExists g;
    message = "users.users.${u.name}.extraGroups contains \"${g}\"${definedAt u._groupDefinitions.extraGroups (v: builtins.isList v && builtins.elem g v)}, a group that is not declared: add users.groups.${g} = { };";
  }) u.extraGroups;

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
      type = types.either types.path types.str;
      default = "/bin/bash";
      description = "The shell of users with `useDefaultShell` (every normal user by default).";
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
    }] ++ lib.concatMap userAssertions users;

    system.build.users = lib.listToAttrs (map (u: {
      inherit (u) name;
      value = {
        inherit (u) uid group extraGroups home createHome description hashedPassword
          isSystemUser isNormalUser;
        shell = "${u.shell}";
        authorizedKeys = u.openssh.authorizedKeys.keys;
      };
    }) users);

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

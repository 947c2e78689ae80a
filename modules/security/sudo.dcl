# `security.sudo.extraRules` and `security.sudo.extraConfig` ->
# /etc/sudoers.d/declos, with NixOS's rule structure.  The file is a copy
# with mode 0440 owned by root (sudo ignores anything else); the host's
# /etc/sudoers must include /etc/sudoers.d (Debian's and Fedora's do).
#
#   security.sudo.extraRules = [
#     { groups = [ "wheel" ]; commands = [ "ALL" ]; }
#     { users = [ "deploy" ]; runAs = "root";
#       commands = [ { command = "/usr/bin/systemctl restart nginx"; options = [ "NOPASSWD" ]; } ]; }
#   ];
#
# As NixOS, members of wheel may run anything (`%wheel ALL=(ALL:ALL) ALL`,
# without a password when `wheelNeedsPassword = false`), ordered before
# other rules (mkOrder 600); unlike NixOS the rule is written only while
# the configuration puts someone in wheel, so that an empty configuration
# writes nothing: nothing at all is written while there are no rules and
# no packages.  `execWheelOnly` makes /usr/bin/sudo executable by wheel
# only (root:wheel 4510, through dpkg-statoverride where the host has it,
# so package upgrades keep it), by the unit declos-sudo-wheel-only.service,
# whose removal gives the distribution's mode back.  With packages
# (environment.systemPackages, through environment.profiles) the file
# starts with
#
#   Defaults	secure_path="/run/current-system/sw/bin:/run/current-system/sw/sbin:/usr/local/sbin:…:/bin"
#
# since the host's sudoers (Debian's) replaces PATH with its own
# secure_path, where NixOS's keeps the caller's.  A later `Defaults
# secure_path=…` in extraConfig wins.
#
# Each field of a rule is checked to be a word of sudoers' grammar (names,
# ids, ALL or aliases; a host name or address; a command on one line with
# its special characters escaped): a line end or an unescaped comma would
# add or widen a rule, and visudo -c would accept it.
#
# The file is checked with the host's `visudo -c -f` at build time
# (`checkConfig`) when it has rules or extraConfig: a syntax error fails the
# build, naming the definition of extraConfig (or extraRules) that wrote the
# offending line.  The secure_path line alone is made of checked paths
# (profiles-lib.dcl), and is not worth a "not run" warning on a host
# without sudo.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.security.sudo;
  checks = import ../system/checks-lib.dcl { inherit lib; };
  prof = import ../config/profiles-lib.dcl { inherit lib; };

  commandOptions = [
    "NOPASSWD" "PASSWD" "NOEXEC" "EXEC" "SETENV" "NOSETENV"
    "LOG_INPUT" "NOLOG_INPUT" "LOG_OUTPUT" "NOLOG_OUTPUT"
    "MAIL" "NOMAIL" "FOLLOW" "NOFOLLOW" "INTERCEPT" "NOINTERCEPT"
  ];

  chk = import ../config/checks-lib.dcl { inherit lib; };

  # Every field of a rule is written into a line `WHO\tHOST=(RUNAS)\tCOMMANDS`
  # of /etc/sudoers.d/declos, so each is a word of sudoers' grammar and
  # nothing more: a line end would add a rule of its own, which `visudo -c`
  # passes (it is valid syntax), and an unescaped "," in a command splits
  # the Cmnd_List (`/bin/ls, /bin/sh` allows /bin/sh).
  sudoWord = chk.checkedStr;

  isName = n: chk.nameProblem n == null;
  # A User_Alias, Runas_Alias or Host_Alias (defined in extraConfig), or ALL.
  isAlias = n: builtins.match "[A-Z][A-Z0-9_]*" n != null;

  sudoUser = sudoWord "sudoUser"
    "user name matching ${chk.nameRegex} (at most ${toString chk.nameMaxLength} characters), ALL or a User_Alias in capitals"
    (x: isName x || isAlias x);

  sudoGroup = sudoWord "sudoGroup"
    "group name matching ${chk.nameRegex} (at most ${toString chk.nameMaxLength} characters)"
    isName;

  hostRegex = lib.concatStringsSep "|" [
    "[A-Za-z0-9_*?][A-Za-z0-9_*?.-]*" # ALL, a Host_Alias, a host name or pattern, an IPv4 address
    "[0-9.]+/[0-9.]+" # an IPv4 network
    "[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]+)?" # an IPv6 address or network
  ];
  sudoHost = sudoWord "sudoHost"
    "sudoers host: ALL, a Host_Alias, a host name or pattern (letters, digits, \".\", \"-\", \"_\", \"*\", \"?\"), or an IP address or network"
    (x: builtins.match hostRegex x != null);

  # sudoers' Runas_Spec: users, then after a colon groups, each a list of
  # names, #ids, ALL or aliases separated by commas ("root", "ALL:ALL",
  # "postgres", ":wheel", "root, postgres").  A #id has digits only (sudo
  # once read "#-1" as root, CVE-2019-14287).
  runAsMember = "(#[0-9]+|${chk.nameRegex}|[A-Z][A-Z0-9_]*)";
  runAsList = "${runAsMember}(, ?${runAsMember})*";
  sudoRunAs = sudoWord "sudoRunAs"
    "sudoers runAs: users[:groups], each a comma-separated list of user or group names, #ids, ALL or aliases (e.g. \"root\", \"ALL:ALL\", \"postgres\")"
    (x: builtins.match "(${runAsList})?(:${runAsList})?" x != null && x != "");

  # A command as sudoers reads it: "," ":" "=" "#" and "\" end or change a
  # command unless a backslash escapes them (`/bin/e=cho` is /bin/e with
  # the argument "=cho"; after " #" the rest is a comment, leaving a
  # command that takes any arguments), so they appear only escaped, and a
  # backslash escapes only them, a blank or a glob character (anything
  # else is a syntax error, or at the end, a line continuation).  "(", ")"
  # and "!" are read as they are inside a command (`\(` is a syntax error):
  # they have a meaning only where a command spec starts, after a comma.
  commandRegex = "([^,:=#\\\\[:cntrl:]]|\\\\[],:=#\\\\ *?[!^])*";
  sudoCommand = sudoWord "sudoCommand"
    "sudoers command on one line, without control characters, where \",\", \":\", \"=\", \"#\" and \"\\\" appear only escaped with a backslash"
    (x: chk.isSingleLine x && builtins.match commandRegex x != null);

  commandType = types.either sudoCommand (types.addCheck (types.submodule {
    options = {
      command = mkOption {
        type = sudoCommand;
        description = "A command, with its full path (and arguments, if it may only run with them), or ALL.";
      };
      options = mkOption {
        type = types.listOf (types.enum commandOptions);
        default = [ ];
        description = "Tags of the command (NOPASSWD, SETENV, …), see sudoers(5).";
      };
    };
  }) (x: builtins.isAttrs x || builtins.isFunction x));

  ruleType = types.submodule {
    options = {
      users = mkOption {
        type = types.listOf (types.either sudoUser types.ints.unsigned);
        default = [ ];
        description = "User names (or uids) the rule applies to, or ALL.";
      };
      groups = mkOption {
        type = types.listOf (types.either sudoGroup types.ints.unsigned);
        default = [ ];
        description = "Group names (or gids) the rule applies to.";
      };
      host = mkOption {
        type = sudoHost;
        default = "ALL";
        description = "The host the rule applies to (ALL: any).";
      };
      runAs = mkOption {
        type = sudoRunAs;
        default = "ALL:ALL";
        example = "root";
        description = "The users (and, after a colon, groups) the commands may be run as.";
      };
      commands = mkOption {
        type = types.listOf commandType;
        description = ''
          The commands: strings, or `{ command; options; }`.  A command is
          written as sudoers reads it: "," ":" "=" "#" and "\" in it must be
          escaped with a backslash (`"/usr/bin/env FOO\\=1"` in DCL).
        '';
      };
    };
  };

  toUserString = u: if builtins.isInt u then "#${toString u}" else u;
  toGroupString = g: if builtins.isInt g then "%#${toString g}" else "%${g}";
  toCommandString = c:
    if builtins.isString c then c
    else "${lib.concatMapStrings (o: "${o}:") c.options}${lib.optionalString (c.options != [ ]) " "}${c.command}";
  toCommandsString = cs: lib.concatMapStringsSep ", " toCommandString cs;

  ruleLines = r:
    lib.optionals (r.commands != [ ])
      (map (who: "${who}\t${r.host}=(${r.runAs})\t${toCommandsString r.commands}")
        (map toUserString r.users ++ map toGroupString r.groups));

  commandName = c: if builtins.isString c then c else c.command;

  # sudoers takes a command as a full path, ALL, or sudoedit.
  validCommand = c:
    let n = commandName c; in
    n == "ALL" || lib.hasPrefix "/" n || lib.hasPrefix "sudoedit " n;

  rulesText = lib.concatMapStrings (l: "${l}\n") (lib.concatMap ruleLines cfg.extraRules);

  # The profiles' bin/ and sbin/ (the packages of environment.systemPackages)
  # before the host's secure_path.
  securePath = (prof.dirs config.environment).PATH or [ ];
  securePathText = lib.optionalString (securePath != [ ])
    "Defaults\tsecure_path=\"${lib.concatStringsSep ":" securePath}:${prof.hostPath}\"\n";

  configured = cfg.extraRules != [ ] || cfg.extraConfig != "";

  # Whether anyone is in wheel (as the manifest will have it), read without
  # forcing any account's name: a hostile one must reach its assertion.
  wheelHasMembers = (config.users.groups.wheel.members or [ ]) != [ ]
    || lib.any (u: builtins.elem "wheel" u.extraGroups) (lib.attrValues config.users.users);

  # execWheelOnly: the host's sudo, its mode and owners kept to be given
  # back (a dpkg stat override replaces the package's own, and is removed
  # again).  Not reverted while the system shuts down (the unit stops then
  # too): only when a generation drops it.
  sudoPath = "/usr/bin/sudo";
  saved = "/var/lib/declos/sudo-exec-wheel-only";
  wheelOnlyStart = ''
    f=${sudoPath}
    if [ ! -e "$f" ]; then echo "$f does not exist: nothing to restrict"; exit 0; fi
    getent group wheel >/dev/null
    if [ ! -e ${saved} ]; then
      mkdir -p "$(dirname ${saved})"
      stat -c '%U %G %a' "$f" >${saved}.tmp && mv ${saved}.tmp ${saved}
    fi
    if command -v dpkg-statoverride >/dev/null; then
      dpkg-statoverride --force-statoverride-add --update --add root wheel 4510 "$f"
    else
      chown root:wheel "$f"
      chmod 4510 "$f"
    fi
  '';
  wheelOnlyStop = ''
    case "$(systemctl is-system-running 2>/dev/null)" in stopping) exit 0 ;; esac
    f=${sudoPath}
    [ -e ${saved} ] || exit 0
    if command -v dpkg-statoverride >/dev/null && dpkg-statoverride --list "$f" >/dev/null; then
      dpkg-statoverride --remove "$f"
    fi
    read -r user group mode <${saved}
    chown "$user:$group" "$f"
    chmod "$mode" "$f"
    rm -f ${saved}
  '';

  text =
    "# Generated by declos (security.sudo, environment.profiles).\n"
    + securePathText
    + rulesText
    + lib.optionalString (cfg.extraConfig != "") "${lib.removeSuffix "\n" cfg.extraConfig}\n";

  sudoers = pkgs.writeText "etc-sudoers.d-declos" text;

  check = pkgs.checkConfigFile {
    name = "sudoers";
    program = "visudo";
    what = "visudo -c";
    hint = "security.sudo.checkConfig = false";
    files = [ { target = "/etc/sudoers.d/declos"; source = sudoers; } ];
    command = ''"$program" -c -f "$file"'';
    origin = "security.sudo.extraRules and security.sudo.extraConfig";
    origins = checks.definitionOrigins options.security.sudo.extraConfig
      ++ [ (checks.valueOrigin options.security.sudo.extraRules rulesText) ];
  };
in
{
  options.security.sudo = {
    enable = mkOption {
      type = types.bool;
      default = true;
      description = "Whether /etc/sudoers.d/declos is written (when there are rules, extra configuration or systemPackages).";
    };

    extraRules = mkOption {
      type = types.listOf ruleType;
      default = [ ];
      example = lib.literalExpression ''
        [ { users = [ "alice" ]; groups = [ 1006 ]; host = "ALL"; runAs = "ALL:ALL";
            commands = [ "ALL" { command = "/usr/bin/systemctl restart app"; options = [ "NOPASSWD" "SETENV" ]; } ]; } ]
      '';
      description = ''
        Rules of /etc/sudoers.d/declos, in order: who (`users`, `groups`)
        may run which `commands` on which `host`, as whom (`runAs`).  Each
        user and group gets one line.  A command is a full path (with
        arguments to allow only those), `sudoedit` with files, or ALL,
        written as sudoers reads it: "," ":" "=" "#" and "\" escaped with a
        backslash.  Every field is checked to be one word of sudoers'
        grammar, so that no value adds or widens a rule.
      '';
    };

    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = "Defaults:alice timestamp_timeout=30";
      description = "Lines appended to /etc/sudoers.d/declos as they are (sudoers(5) syntax).";
    };

    wheelNeedsPassword = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether members of the wheel group must give their password to
        run commands as root: the rule `%wheel ALL=(ALL:ALL) ALL` (with
        NOPASSWD when false), written while the configuration puts
        anyone in wheel.
      '';
    };

    execWheelOnly = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether only members of wheel may execute sudo at all (the host's
        ${sudoPath} becomes root:wheel, mode 4510), which keeps others away
        from bugs in sudo itself.  A generation without it gives the
        distribution's mode back.
      '';
    };

    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether /etc/sudoers.d/declos, when it has rules or extra
        configuration, is checked with the host's `visudo -c -f` when the
        system is built: a syntax error then fails
        the build (naming the definition that wrote the line) instead of
        locking sudo.  Without visudo on the building host the check is
        reported as not run.
      '';
    };
  };

  config = lib.mkMerge [
  (lib.mkIf (cfg.enable && wheelHasMembers) {
    # NixOS's rule for wheel, before others (a user's mkBefore rules come first)
    security.sudo.extraRules = lib.mkOrder 600 [{
      groups = [ "wheel" ];
      commands = [ { command = "ALL"; options = lib.optional (!cfg.wheelNeedsPassword) "NOPASSWD"; } ];
    }];
  })

  (lib.mkIf (cfg.enable && cfg.execWheelOnly) {
    systemd.services.declos-sudo-wheel-only = {
      description = "sudo executable by the wheel group only (security.sudo.execWheelOnly)";
      wantedBy = [ "multi-user.target" ];
      after = [ "local-fs.target" ];
      serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
      script = wheelOnlyStart;
      preStop = wheelOnlyStop;
    };
  })

  (lib.mkIf (cfg.enable && (configured || securePath != [ ])) {
    assertions = lib.concatLists (lib.imap1 (i: r:
      [ {
        assertion = r.users != [ ] || r.groups != [ ];
        message = "security.sudo.extraRules, rule ${toString i}: it names no users and no groups, so it applies to nobody.";
      } ]
      ++ map (c: {
        assertion = validCommand c;
        message = "security.sudo.extraRules, rule ${toString i}: the command \"${commandName c}\" must be a full path (starting with /) or ALL.";
      }) r.commands
    ) cfg.extraRules);

    environment.etc."sudoers.d/declos" = {
      mode = "0440";
      source = sudoers;
    };

    system.checks = lib.optional (cfg.checkConfig && configured) check;
  })
  ];
}

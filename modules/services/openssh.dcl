# The OpenSSH daemon: `services.openssh`, with NixOS's options (23.11+:
# `settings` is freeform, the common keywords typed).  /etc/ssh/sshd_config
# is rendered from ./sshd_config.j2 with `pkgs.template`; sshd.service runs
# the host's sshd (`executable`, there is no package set underneath) and
# generates missing host keys first; each user's
# `openssh.authorizedKeys.keys` and `keyFiles` become
# /etc/ssh/authorized_keys.d/<user>, which AuthorizedKeysFile names.
#
#   services.openssh = {
#     enable = true;
#     ports = [ 22 2222 ];
#     settings.PasswordAuthentication = false;
#     settings.PermitRootLogin = "no";
#   };
#
# sshd_config is checked with the host's `sshd -t` at build time
# (`checkConfig`), with a throwaway host key made in the build directory.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.services.openssh;
  opts = options.services.openssh;
  checks = import ../system/checks-lib.dcl { inherit lib; };
  chk = import ../config/checks-lib.dcl { inherit lib; };

  # A string written into sshd_config: a line end would add a setting of its
  # own, and sshd takes the first value of a keyword, so
  # `Ciphers = [ "aes256-ctr\nPermitRootLogin yes" ]` would win over the
  # PermitRootLogin declos writes (and `sshd -t` passes it).
  sshdStr = chk.singleLineStr "sshdStr" "string without line ends";

  # A settings value as sshd_config(5) spells it (NixOS's mkValueString).
  valueString = v:
    if v == true then "yes"
    else if v == false then "no"
    else toString v;

  # OpenSSH is inconsistent with keywords taking several values: these are
  # comma-separated, these space-separated (sshd_config(5)); any other list
  # repeats the keyword.
  commaSeparated = [ "Ciphers" "KexAlgorithms" "Macs" "MACs" "HostKeyAlgorithms" "PubkeyAcceptedAlgorithms" ];
  spaceSeparated = [ "AuthorizedKeysFile" "AllowGroups" "AllowUsers" "DenyGroups" "DenyUsers" "AcceptEnv" ];

  settingLines = name: v:
    if builtins.isList v then
      if builtins.elem name commaSeparated then [ "${name} ${lib.concatStringsSep "," v}" ]
      else if builtins.elem name spaceSeparated then [ "${name} ${lib.concatStringsSep " " v}" ]
      else map (x: "${name} ${valueString x}") v
    else [ "${name} ${valueString v}" ];

  settingsText = lib.concatLists (lib.mapAttrsToList settingLines
    (lib.filterAttrs (_: v: v != null && v != [ ]) cfg.settings));

  lines = ls: lib.concatMapStrings (l: "${l}\n") ls;

  nullOrListOfStr = default: description: mkOption {
    type = types.nullOr (types.listOf sshdStr);
    inherit default description;
  };

  settingsModule = {
    freeformType = types.attrsOf (types.nullOr (types.oneOf [ types.bool types.int sshdStr (types.listOf sshdStr) ]));
    options = {
      AuthorizedPrincipalsFile = mkOption {
        type = types.nullOr sshdStr;
        default = "none";
        description = "Where sshd finds the principals of certificate logins (\"none\": nowhere).";
      };
      LogLevel = mkOption {
        type = types.nullOr (types.enum [ "QUIET" "FATAL" "ERROR" "INFO" "VERBOSE" "DEBUG" "DEBUG1" "DEBUG2" "DEBUG3" ]);
        default = "INFO";
        description = "sshd's verbosity; VERBOSE logs the fingerprint of the key a user logged in with.";
      };
      UsePAM = mkOption {
        type = types.bool;
        default = true;
        description = "Whether PAM authentication, accounts and sessions are used.";
      };
      UseDns = mkOption {
        type = types.nullOr types.bool;
        default = false;
        description = "Whether sshd looks up and checks the remote host's name (UseDNS).";
      };
      X11Forwarding = mkOption {
        type = types.bool;
        default = false;
        description = "Whether X11 connections may be forwarded.";
      };
      PasswordAuthentication = mkOption {
        type = types.bool;
        default = true;
        description = "Whether password authentication is allowed.";
      };
      PermitRootLogin = mkOption {
        type = types.enum [ "yes" "without-password" "prohibit-password" "forced-commands-only" "no" ];
        default = "prohibit-password";
        description = "Whether root may log in, and how.";
      };
      KbdInteractiveAuthentication = mkOption {
        type = types.bool;
        default = true;
        description = "Whether keyboard-interactive (challenge-response) authentication is allowed.";
      };
      GatewayPorts = mkOption {
        type = sshdStr;
        default = "no";
        description = "Whether remote hosts may connect to ports forwarded for the client (yes, no, clientspecified).";
      };
      KexAlgorithms = nullOrListOfStr [
        "sntrup761x25519-sha512@openssh.com"
        "curve25519-sha256"
        "curve25519-sha256@libssh.org"
        "diffie-hellman-group-exchange-sha256"
      ] "Allowed key exchange algorithms; null keeps sshd's own list.";
      Macs = nullOrListOfStr [
        "hmac-sha2-512-etm@openssh.com"
        "hmac-sha2-256-etm@openssh.com"
        "umac-128-etm@openssh.com"
      ] "Allowed MACs; null keeps sshd's own list.";
      Ciphers = nullOrListOfStr [
        "chacha20-poly1305@openssh.com"
        "aes256-gcm@openssh.com"
        "aes128-gcm@openssh.com"
        "aes256-ctr"
        "aes192-ctr"
        "aes128-ctr"
      ] "Allowed ciphers; null keeps sshd's own list.";
      StrictModes = mkOption {
        type = types.bool;
        default = true;
        description = "Whether sshd checks the modes and owners of the user's files before accepting a login.";
      };
      PrintMotd = mkOption {
        type = types.bool;
        default = false;
        description = "Whether sshd prints /etc/motd at login (PAM usually does).";
      };
      AllowUsers = nullOrListOfStr null "If set, only these users (patterns) may log in.";
      AllowGroups = nullOrListOfStr null "If set, only members of these groups may log in.";
      DenyUsers = nullOrListOfStr null "If set, these users (patterns) may not log in.";
      DenyGroups = nullOrListOfStr null "If set, members of these groups may not log in.";
    };
  };

  listenModule = {
    options = {
      addr = mkOption {
        type = types.nullOr sshdStr;
        default = null;
        description = "Host name, IPv4 address or bracketed IPv6 address to listen on.";
      };
      port = mkOption {
        type = types.nullOr types.port;
        default = null;
        description = "Port to listen on; null listens on every one of `ports`.";
      };
    };
  };

  # users.users.<name>.openssh.authorizedKeys.keyFiles joins the user
  # submodule of users-groups.dcl (which declares `keys`).
  userModule = {
    options.openssh.authorizedKeys.keyFiles = mkOption {
      type = types.listOf types.path;
      default = [ ];
      description = ''
        Files each holding OpenSSH public keys that may log in as this user;
        they are read at evaluation and added to the user's keys.
      '';
    };
  };

  usersWithKeys = lib.filter (u: u.openssh.authorizedKeys.keys != [ ] || u.openssh.authorizedKeys.keyFiles != [ ])
    (lib.attrValues config.users.users);

  authorizedKeysFile = u: {
    name = "ssh/authorized_keys.d/${u.name}";
    value = {
      mode = "0444";
      source = pkgs.writeText "${u.name}-authorized_keys" (lib.concatMapStrings (k: "${k}\n")
        (u.openssh.authorizedKeys.keys
          ++ lib.concatMap (f: lib.filter (l: l != "") (lib.splitString "\n" (builtins.readFile f)))
            u.openssh.authorizedKeys.keyFiles));
    };
  };

  keygen = k: ''
    if ! [ -s "${k.path}" ]; then
      mkdir -m 0755 -p "$(dirname "${k.path}")"
      ssh-keygen -q -t "${k.type}" ${lib.optionalString (k ? bits) "-b ${toString k.bits}"} ${lib.optionalString (k ? rounds) "-a ${toString k.rounds}"} ${lib.optionalString (k ? comment) "-C '${k.comment}'"} -f "${k.path}" -N ""
    fi
  '';

  sshdConfig = pkgs.template {
    name = "sshd_config";
    src = ./sshd_config.j2;
    vars = {
      inherit (cfg) ports authorizedKeysFiles extraConfig;
      inherit listenAddresses;
      hostKeys = map (k: k.path) cfg.hostKeys;
      settings = settingsText;
      banner = if cfg.banner == null then null else pkgs.writeText "ssh-banner" cfg.banner;
      sftp = if cfg.allowSFTP then sftp else null;
    };
  };

  listenAddresses = map (l: if l.port == null then l.addr else "${l.addr}:${toString l.port}")
    (lib.filter (l: l.addr != null) cfg.listenAddresses);

  sftp = lib.concatStringsSep " " ([ cfg.sftpServerExecutable ] ++ cfg.sftpFlags);

  # sshd -t as an unprivileged user (no privilege separation directory or
  # user needed), with a host key of its own: the real ones are root's.
  check = pkgs.checkConfigFile {
    name = "sshd_config";
    program = cfg.executable;
    what = "sshd -t";
    hint = "services.openssh.checkConfig = false";
    files = [ { target = "/etc/ssh/sshd_config"; source = sshdConfig; } ];
    command = ''
      if ! command -v ssh-keygen >/dev/null; then
        echo "ssh-keygen is not installed: no throwaway host key for sshd -t" >.not-run
        exit 1
      fi
      ssh-keygen -q -t ed25519 -N "" -C declos-check -f "$PWD/host-key" </dev/null >/dev/null || exit 1
      isolated "$program" -t -f "$file" -h "$PWD/host-key"
    '';
    origin = "services.openssh";
    origins = checks.definitionOrigins opts.extraConfig
      ++ checks.keyOrigins opts.settings cfg.settings
        (k: v: lib.optionalString (v != null && v != [ ]) (lines (settingLines k v)))
      ++ [
        (checks.valueOrigin opts.ports (lines (map (p: "Port ${toString p}") cfg.ports)))
        (checks.valueOrigin opts.listenAddresses (lines (map (a: "ListenAddress ${a}") listenAddresses)))
        (checks.valueOrigin opts.hostKeys (lines (map (k: "HostKey ${k.path}") cfg.hostKeys)))
        (checks.valueOrigin opts.sftpFlags "Subsystem sftp ${sftp}\n")
        (checks.valueOrigin opts.sftpServerExecutable "Subsystem sftp ${sftp}\n")
      ];
    hostDependent = "Missing privilege separation directory|Privilege separation user .* does not exist";
    ignoreOutput = "^Unable to load host key";
  };

in
{
  options = {
    services.openssh = {
      enable = lib.mkEnableOption "the OpenSSH secure shell daemon, which allows secure remote logins";

      executable = mkOption {
        type = sshdStr;
        default = "/usr/sbin/sshd";
        description = "The host's sshd (declos has no package set: the distribution's openssh-server provides it).";
      };

      ports = mkOption {
        type = types.listOf types.port;
        default = [ 22 ];
        description = "The ports sshd listens on.";
      };

      listenAddresses = mkOption {
        type = types.listOf (types.submodule listenModule);
        default = [ ];
        example = [ { addr = "192.168.3.1"; port = 22; } { addr = "0.0.0.0"; port = 64022; } ];
        description = ''
          Addresses (and ports) to listen on (ListenAddress).  An entry
          without a port listens on every one of `ports`.  Empty: every
          local address.  Setting this does not open the firewall.
        '';
      };

      openFirewall = mkOption {
        type = types.bool;
        default = true;
        description = "Whether `ports` are opened in networking.firewall.";
      };

      settings = mkOption {
        type = types.submodule settingsModule;
        default = { };
        example = { UseDns = true; PasswordAuthentication = false; };
        description = ''
          sshd_config(5) keywords: `Key = value` becomes `Key value`,
          booleans yes/no, null leaves the keyword out; a list is joined
          with "," (Ciphers, KexAlgorithms, Macs), " " (AllowUsers and the
          like) or repeats the keyword.
        '';
      };

      extraConfig = mkOption {
        type = types.lines;
        default = "";
        example = ''
          Match User backup
            ForceCommand internal-sftp
        '';
        description = "Verbatim lines at the end of sshd_config (Match blocks belong here).";
      };

      checkConfig = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether sshd_config is checked with `sshd -t` (the host's
          `executable`, as an unprivileged user with a throwaway host key)
          when the system is built: an invalid keyword or value then fails
          the build, naming the definition that wrote it, instead of
          stopping sshd at its next restart.  Without sshd on the building
          host the check is reported as not run.
        '';
      };

      hostKeys = mkOption {
        type = types.listOf types.attrs;
        default = [
          { type = "rsa"; bits = 4096; path = "/etc/ssh/ssh_host_rsa_key"; }
          { type = "ed25519"; path = "/etc/ssh/ssh_host_ed25519_key"; }
        ];
        example = [ { type = "ed25519"; path = "/etc/ssh/ssh_host_ed25519_key"; rounds = 100; comment = "key comment"; } ];
        description = ''
          The host keys (HostKey): `path` and `type`, optionally `bits`,
          `rounds` and `comment`; sshd.service generates a missing one with
          ssh-keygen before it starts.
        '';
      };

      authorizedKeysFiles = mkOption {
        type = types.listOf sshdStr;
        default = [ ];
        description = ''
          Files listing the keys that may log in (AuthorizedKeysFile; %h is
          the home directory, %u the user name), after the user's
          ~/.ssh/authorized_keys and /etc/ssh/authorized_keys.d/%u.
        '';
      };

      banner = mkOption {
        type = types.nullOr types.lines;
        default = null;
        description = "Text shown before authentication (Banner); null shows none.";
      };

      allowSFTP = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the SFTP subsystem is enabled (sftp, sshfs).";
      };

      sftpServerExecutable = mkOption {
        type = sshdStr;
        default = "/usr/lib/openssh/sftp-server";
        example = "internal-sftp";
        description = "The SFTP server (the host's, as Debian installs it) or \"internal-sftp\".";
      };

      sftpFlags = mkOption {
        type = types.listOf sshdStr;
        default = [ ];
        example = [ "-f AUTHPRIV" "-l INFO" ];
        description = "Arguments of the SFTP server.";
      };
    };

    users.users = mkOption {
      type = types.attrsOf (types.submodule userModule);
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge [
    {
      users.users.sshd = {
        isSystemUser = true;
        group = "sshd";
        description = "SSH privilege separation user";
      };
      users.groups.sshd = { };

      services.openssh.authorizedKeysFiles = [ "%h/.ssh/authorized_keys" "/etc/ssh/authorized_keys.d/%u" ];

      environment.etc = lib.listToAttrs (map authorizedKeysFile usersWithKeys) // {
        "ssh/sshd_config".source = sshdConfig;
      };

      system.checks = lib.optional cfg.checkConfig check;

      # Debian and Ubuntu run sshd as ssh.service (with ssh.socket), and alias
      # sshd.service to it: masked while this sshd.service runs in their place,
      # and stopped when it starts; a generation without openssh gives them back.
      systemd.maskedUnits = [ "ssh.service" "ssh.socket" ];

      systemd.services.sshd = {
        description = "SSH Daemon";
        wantedBy = [ "multi-user.target" ];
        after = [ "network.target" ];
        conflicts = [ "ssh.service" "ssh.socket" ];
        stopIfChanged = false;
        preStart = lib.concatMapStrings keygen cfg.hostKeys + ''
          ${cfg.executable} -t -f /etc/ssh/sshd_config
        '';
        restartTriggers = [ sshdConfig ];
        serviceConfig = {
          ExecStart = "${cfg.executable} -D -f /etc/ssh/sshd_config";
          ExecReload = "/bin/kill -HUP $MAINPID";
          KillMode = "process";
          Restart = "always";
          Type = "simple";
          RuntimeDirectory = "sshd";
          RuntimeDirectoryMode = "0755";
        };
      };

      assertions = map (l: {
        assertion = l.addr != null;
        message = "services.openssh.listenAddresses: every entry needs an `addr`.";
      }) cfg.listenAddresses;
    }
    { networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall cfg.ports; }
  ]);
}

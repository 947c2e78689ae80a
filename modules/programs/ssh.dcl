# `programs.ssh`: the OpenSSH client's system-wide settings, with NixOS's
# options: `extraConfig` and the typed settings go to
# /etc/ssh/ssh_config.d/declos.conf (the distribution's ssh_config, which
# includes ssh_config.d/*.conf before its own settings, stays its own: the
# first value ssh reads wins, so these come first), `knownHosts` to
# /etc/ssh/ssh_known_hosts (the default global known-hosts file, which
# distributions do not ship).
#
#   programs.ssh = {
#     knownHosts."github.com".publicKey = "ssh-ed25519 AAAAC3Nza…";
#     knownHosts.build = { hostNames = [ "build" "10.0.0.5" ]; publicKeyFile = ./build.pub; };
#     extraConfig = ''
#       Host build
#         User ci
#     '';
#   };
#
# The drop-in is checked with the host's `ssh -G -F` at build time.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.programs.ssh;
  chk = import ../config/checks-lib.dcl { inherit lib; };
  checks = import ../system/checks-lib.dcl { inherit lib; };

  # Host names and patterns of a known_hosts line (names, addresses,
  # [host]:port, wildcards, !negation, hashed |1|…): no blank, comma or
  # line end, which would start another name or another line.
  hostPattern = types.strMatching "[]A-Za-z0-9.:*?!_|+/=[-]+";
  # An algorithm name of ssh_config (ciphers, MACs, key types), optionally
  # with the +/-/^ list prefix: never a comma, blank or line end.
  algorithm = types.strMatching "[-+^]?[A-Za-z0-9@._*?-]+";

  # A file of GlobalKnownHostsFile, whose files are separated by blanks on
  # one line of ssh_config: a line end would add a directive (`Match exec`,
  # `ProxyCommand`: a command run for every user of ssh), a blank another
  # trusted file, a quote, backslash or "#" would be read as ssh_config
  # syntax.  A path value or a string, as an absolute path.
  knownHostsFile = types.addCheck types.path (x:
    let s = toString x; in chk.isNormalizedAbsolute s && builtins.match "[^[:space:]\"'\\\\#]*" s != null) // {
    name = "knownHostsFile";
    description = "normalized absolute path without blanks, quotes, backslashes, \"#\" or line ends";
    descriptionClass = "noun";
  };

  knownHostOpts = { name, ... }: {
    options = {
      certAuthority = mkOption {
        type = types.bool;
        default = false;
        description = "Whether the key is a certificate authority's, trusted for host certificates (@cert-authority).";
      };
      hostNames = mkOption {
        type = types.listOf hostPattern;
        default = [ name ];
        example = [ "github.com" "140.82.121.4" ];
        description = "Host names and addresses the key belongs to (the attribute name by default; patterns allowed).";
      };
      extraHostNames = mkOption {
        type = types.listOf hostPattern;
        default = [ ];
        description = "More host names, besides `hostNames`.";
      };
      publicKey = mkOption {
        type = types.nullOr types.singleLineStr;
        default = null;
        example = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        description = "The host's public key, as in its ssh_host_*_key.pub.";
      };
      publicKeyFile = mkOption {
        type = types.nullOr types.path;
        default = null;
        description = "A file holding the host's public key (read at evaluation), instead of `publicKey`.";
      };
    };
  };

  hosts = lib.attrValues cfg.knownHosts;
  # (neither: an assertion below says so)
  keyOf = h: if h.publicKey != null then h.publicKey
    else if h.publicKeyFile != null then keyInFile h.publicKeyFile
    else "";
  # A key file's one line: a second line would be a known_hosts entry of its own.
  keyInFile = file:
    let key = lib.removeSuffix "\n" (builtins.readFile file);
    in if chk.isSingleLine key then key
      else throw "programs.ssh.knownHosts: publicKeyFile '${toString file}' holds more than one line (one public key, as in ssh_host_*_key.pub)";
  knownHostsText = lib.concatMapStrings (h:
    "${lib.optionalString h.certAuthority "@cert-authority "}${lib.concatStringsSep "," (h.hostNames ++ h.extraHostNames)} ${keyOf h}\n") hosts;

  list = key: xs: lib.optionalString (xs != null && xs != [ ]) "${key} ${lib.concatStringsSep "," xs}\n";

  # option name -> the line it writes ("" when unset)
  settings = {
    forwardX11 = lib.optionalString (cfg.forwardX11 != null) "ForwardX11 ${if cfg.forwardX11 then "yes" else "no"}\n";
    pubkeyAcceptedKeyTypes = list "PubkeyAcceptedKeyTypes" cfg.pubkeyAcceptedKeyTypes;
    hostKeyAlgorithms = list "HostKeyAlgorithms" cfg.hostKeyAlgorithms;
    ciphers = list "Ciphers" cfg.ciphers;
    macs = list "MACs" cfg.macs;
    kexAlgorithms = list "KexAlgorithms" cfg.kexAlgorithms;
    knownHostsFiles = lib.optionalString (cfg.knownHostsFiles != [ ])
      "GlobalKnownHostsFile /etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2 ${lib.concatMapStringsSep " " toString cfg.knownHostsFiles}\n";
  };
  order = [ "forwardX11" "pubkeyAcceptedKeyTypes" "hostKeyAlgorithms" "ciphers" "macs" "kexAlgorithms" "knownHostsFiles" ];
  settingsText = lib.concatMapStrings (k: settings.${k}) order;

  configText = "# Generated by declos (programs.ssh).\n" + settingsText
    + lib.optionalString (cfg.extraConfig != "") "${lib.removeSuffix "\n" cfg.extraConfig}\n";

  dropIn = pkgs.writeText "etc-ssh-ssh_config.d-declos.conf" configText;

  check = pkgs.checkConfigFile {
    name = "ssh_config";
    program = "ssh";
    what = "ssh -G";
    hint = "programs.ssh.checkConfig = false";
    files = [ { target = "/etc/ssh/ssh_config.d/declos.conf"; source = dropIn; } ];
    command = ''isolated "$program" -G -F "$file" declos-check.invalid >/dev/null'';
    origin = "programs.ssh";
    origins = checks.definitionOrigins options.programs.ssh.extraConfig
      ++ map (k: checks.valueOrigin options.programs.ssh.${k} settings.${k}) (builtins.filter (k: settings.${k} != "") order);
  };

  algorithms = what: mkOption {
    type = types.nullOr (types.listOf algorithm);
    default = null;
    description = "The ${what} the client allows, in order of preference (null: the distribution's).";
  };
in
{
  options.programs.ssh = {
    extraConfig = mkOption {
      type = types.lines;
      default = "";
      example = ''
        Host build
          User ci
          IdentityFile ~/.ssh/ci
      '';
      description = "Lines of ssh_config(5) added to /etc/ssh/ssh_config.d/declos.conf, after the settings below.";
    };
    knownHosts = mkOption {
      type = types.attrsOf (types.submodule knownHostOpts);
      default = { };
      description = ''
        Host keys every user trusts, written to /etc/ssh/ssh_known_hosts:
        `hostNames` (the attribute name by default) with `publicKey` or
        `publicKeyFile`.
      '';
    };
    knownHostsFiles = mkOption {
      type = types.listOf knownHostsFile;
      default = [ ];
      description = "More files of trusted host keys, after /etc/ssh/ssh_known_hosts (GlobalKnownHostsFile).";
    };
    forwardX11 = mkOption {
      type = types.nullOr types.bool;
      default = null;
      description = "Whether X11 connections are forwarded by default (null, unlike NixOS's false: the distribution's setting).";
    };
    pubkeyAcceptedKeyTypes = mkOption {
      type = types.listOf algorithm;
      default = [ ];
      example = [ "ssh-ed25519" "ssh-rsa" ];
      description = "The key types the client offers for public key authentication (empty: the distribution's).";
    };
    hostKeyAlgorithms = mkOption {
      type = types.listOf algorithm;
      default = [ ];
      description = "The host key algorithms the client accepts (empty: the distribution's).";
    };
    ciphers = algorithms "ciphers";
    macs = algorithms "MACs";
    kexAlgorithms = algorithms "key exchange algorithms";
    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether /etc/ssh/ssh_config.d/declos.conf is checked with the host's
        `ssh -G -F` when the system is built (reported as not run without ssh).
      '';
    };
  };

  config = lib.mkMerge [
    (lib.mkIf (settingsText != "" || cfg.extraConfig != "") {
      environment.etc."ssh/ssh_config.d/declos.conf".source = dropIn;
      system.checks = lib.optional cfg.checkConfig check;
    })
    (lib.mkIf (cfg.knownHosts != { }) {
      environment.etc."ssh/ssh_known_hosts".text = knownHostsText;
      assertions = lib.mapAttrsToList (name: h: {
        assertion = (h.publicKey == null) != (h.publicKeyFile == null);
        message = "programs.ssh.knownHosts.${chk.show name}${chk.definedIn (chk.attrLocations options.programs.ssh.knownHosts name)}: set exactly one of publicKey and publicKeyFile.";
      }) cfg.knownHosts ++ lib.mapAttrsToList (name: h: {
        assertion = h.hostNames ++ h.extraHostNames != [ ]
          && lib.all (n: builtins.match "[^ \t\n,#@]+" n != null) (h.hostNames ++ h.extraHostNames);
        message = "programs.ssh.knownHosts.${chk.show name}${chk.definedIn (chk.attrLocations options.programs.ssh.knownHosts name)}: host names must be non-empty, without spaces, commas, \"#\" or \"@\".";
      }) cfg.knownHosts;
    })
  ];
}

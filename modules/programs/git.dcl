# `programs.git`: git from the host distribution (`environment.hostPackages`)
# and its system-wide configuration /etc/gitconfig (which Debian, Fedora
# and Arch do not ship), with NixOS's options:
#
#   programs.git = {
#     enable = true;
#     config = {
#       init.defaultBranch = "main";
#       url."https://github.com/".insteadOf = [ "gh:" "github:" ];
#     };
#   };
#
# `config` is rendered by lib.generators.toGitINI; a list of such sets
# keeps its order (sections repeated as given), as in NixOS.  The file is
# checked with the host's `git config --list` at build time when git is
# there.
{ config, lib, options, pkgs, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.programs.git;
  checks = import ../system/checks-lib.dcl { inherit lib; };

  gitini = types.attrsOf (types.attrsOf types.anything);

  text = lib.concatMapStringsSep "\n" lib.generators.toGitINI cfg.config;
  gitconfig = pkgs.writeText "etc-gitconfig" text;

  check = pkgs.checkConfigFile {
    name = "gitconfig";
    program = "git";
    what = "git config --list";
    hint = "programs.git.checkConfig = false";
    files = [ { target = "/etc/gitconfig"; source = gitconfig; } ];
    command = ''HOME=$PWD "$program" config --file "$file" --list >/dev/null'';
    origin = "programs.git.config";
    origins = [ (checks.valueOrigin options.programs.git.config text) ];
  };
in
{
  options.programs.git = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether git is installed (the host's package "git", through
        `environment.hostPackages`) and /etc/gitconfig written from
        `config`.
      '';
    };

    package = mkOption {
      type = types.str;
      default = "git";
      description = "The host package providing git.";
    };

    config = mkOption {
      type = types.either gitini (types.listOf gitini) // {
        merge = loc: defs:
          let
            split = lib.foldl' (acc: d:
              if builtins.isList d.value then acc // { ordered = acc.ordered ++ d.value; }
              else acc // { unordered = acc.unordered ++ [ d ]; }) { ordered = [ ]; unordered = [ ]; } defs;
          in
          lib.optional (split.unordered != [ ]) (gitini.merge loc split.unordered) ++ split.ordered;
      };
      default = [ ];
      example = { init.defaultBranch = "main"; url."https://github.com/".insteadOf = [ "gh:" "github:" ]; };
      description = ''
        The system-wide git configuration (/etc/gitconfig), as nested sets
        (`section.key = value`, `section."sub".key = value`; a list repeats
        the key).  A list of such sets keeps its order.
      '';
    };

    checkConfig = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether /etc/gitconfig is checked with the host's `git config
        --list` when the system is built (reported as not run without git
        on the building host).
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    environment.hostPackages = [ cfg.package ];
    environment.etc.gitconfig = lib.mkIf (cfg.config != [ ]) { source = gitconfig; };
    system.checks = lib.optional (cfg.checkConfig && cfg.config != [ ]) check;
  };
}

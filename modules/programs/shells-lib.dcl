# Helpers of programs/bash.dcl and programs/zsh.dcl (not a module): the
# options the two shells share and their aliases' text.
#
#   sh = import ./shells-lib.dcl { inherit lib; };
#   sh.aliasesText { ll = "ls -l"; gone = null; } == "alias ll='ls -l'\n"
{ lib }:

let
  inherit (lib) mkOption types;
  chk = import ../config/checks-lib.dcl { inherit lib; };
in
rec {
  # Characters the shell would take apart in an alias name (as
  # config/shells-environment.dcl checks environment.shellAliases).
  validAlias = n: builtins.match "[A-Za-z0-9_.:+@%,-][A-Za-z0-9_.:+@%,!-]*" n != null;

  # `alias NAME='VALUE'` lines; null drops an alias.
  aliasesText = aliases: lib.concatStrings (lib.mapAttrsToList
    (n: v: "alias ${n}=${lib.escapeShellArg v}\n") (lib.filterAttrs (_: v: v != null) aliases));

  # A refused alias name says where it is defined (`opt`: the shell's
  # `shellAliases` option record), as environment.shellAliases does.
  aliasAssertions = prefix: opt: aliases: map (n: {
    assertion = validAlias n;
    message = "${prefix}.shellAliases.${chk.show n}${chk.definedIn (chk.attrLocations opt n)}: not a valid alias name (no spaces, quotes, \"=\", \"/\" or shell metacharacters).";
  }) (builtins.attrNames aliases);

  # `shellAliases`, `interactiveShellInit` and `promptInit`, as NixOS names
  # them for both shells.
  commonOptions = shell: {
    shellAliases = mkOption {
      type = types.attrsOf (types.nullOr types.str);
      default = { };
      example = { ll = "ls -l"; gs = "git status"; };
      description = ''
        Aliases of interactive ${shell} shells (shell-escaped); by default
        those of `environment.shellAliases`.  null removes one.
      '';
    };
    interactiveShellInit = mkOption {
      type = types.lines;
      default = "";
      example = "set -o vi";
      description = "Shell code run by interactive ${shell} shells, after the aliases.";
    };
    promptInit = mkOption {
      type = types.lines;
      default = "";
      description = ''
        Shell code setting the prompt of interactive ${shell} shells.
        Empty (unlike NixOS, which sets its own) keeps the distribution's
        prompt.
      '';
    };
  };
}

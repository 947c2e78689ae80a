# `programs.vim`: vim from the host distribution (`environment.hostPackages`)
# and, with `defaultEditor`, EDITOR=vim for login shells, as NixOS's:
#
#   programs.vim.defaultEditor = true;
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.programs.vim;
in
{
  options.programs.vim = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = "Whether vim is installed (the host's package, through `environment.hostPackages`).";
    };
    defaultEditor = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether vim is installed and is the default editor: EDITOR=vim in
        `environment.variables` (at NixOS's priority 900, so a plain
        definition of EDITOR wins).
      '';
    };
    package = mkOption {
      type = types.str;
      default = "vim";
      example = "vim-nox";
      description = "The host package providing vim (Fedora: vim-enhanced).";
    };
  };

  config = lib.mkIf (cfg.enable || cfg.defaultEditor) {
    environment.hostPackages = [ cfg.package ];
    environment.variables.EDITOR = lib.mkIf cfg.defaultEditor (lib.mkOverride 900 "vim");
  };
}

# `team.admins.<name> = { keys = [ ... ]; }`: the team's administrators,
# each a normal user in the group `admins` (with its ssh keys), and sudo
# for that group (without a password unless `team.sudoNeedsPassword`).
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.team;
in
{
  options.team = {
    admins = mkOption {
      type = types.attrsOf (types.submodule {
        options.keys = mkOption {
          type = types.listOf types.str;
          default = [ ];
          description = "The admin's ssh public keys.";
        };
      });
      default = { };
      description = "The team's administrators on this machine.";
    };

    sudoNeedsPassword = mkOption {
      type = types.bool;
      default = false;
      description = "Whether admins type their password for sudo.";
    };
  };

  config = {
    users.groups.admins = { gid = 1500; };

    users.users = lib.mapAttrs (name: a: {
      isNormalUser = true;
      extraGroups = [ "admins" ];
      openssh.authorizedKeys.keys = a.keys;
    }) cfg.admins;

    security.sudo.extraRules = [{
      groups = [ "admins" ];
      commands = [ {
        command = "ALL";
        options = lib.optional (!cfg.sudoNeedsPassword) "NOPASSWD";
      } ];
    }];
  };
}

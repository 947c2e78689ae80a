# `deployment.*`: how `declos deploy FLEET.dcl` reaches this machine and
# decides that a deploy to it worked (colmena's `deployment` options).  They
# change nothing on the machine itself, except `healthChecks`, which become
# required `system.healthChecks` (deployment-1, deployment-2, …): they run
# on the host after every activation, and a failing one puts the previous
# generation back, before the deployer is even asked to confirm.
#
#   deployment = {
#     targetHost = "web1.example.org";   # default: the node's name in the fleet
#     targetPort = 2222;                 # default: ssh_config's (22)
#     targetUser = "root";               # another user runs declos with `sudo -n`
#     tags = [ "web" "eu" ];             # `declos deploy --on @web`
#     healthChecks = [ { cmd = "curl -fsS http://127.0.0.1/healthz"; timeout = 10; } ];
#   };
#
# Outside a fleet the options are inert (targetHost stays null).
{ config, lib, ... }:

let
  inherit (lib) mkOption types;
  cfg = config.deployment;

  checkOpts = {
    options = {
      cmd = mkOption {
        type = types.str;
        description = "A shell command run on the host (by /bin/sh -e, as root): exit status 0 passes.";
      };
      timeout = mkOption {
        type = types.ints.positive;
        default = 30;
        description = "Seconds the command may take; one still running then has failed.";
      };
    };
  };
in
{
  options.deployment = {
    targetHost = mkOption {
      # What ssh takes as a host: a name, an ssh_config alias or an address,
      # never something it would read as an option.
      type = types.nullOr (types.strMatching "[A-Za-z0-9_.:%][A-Za-z0-9_.:%-]*");
      default = null;
      example = "web1.example.org";
      description = ''
        The host `declos deploy` connects to with `ssh` (a name, an alias of
        ssh_config or an address).  In a fleet it defaults to the node's name.
      '';
    };
    targetPort = mkOption {
      type = types.nullOr types.port;
      default = null;
      description = "The ssh port (null: what ssh_config says, else 22).";
    };
    targetUser = mkOption {
      type = types.strMatching "[a-z_][a-z0-9_-]*[$]?";
      default = "root";
      description = ''
        The user `declos deploy` logs in as.  Anyone but root runs declos on
        the host through `sudo -n`, which must let them without a password.
      '';
    };
    tags = mkOption {
      type = types.listOf (types.strMatching "[A-Za-z0-9_][A-Za-z0-9_.-]*");
      default = [ ];
      example = [ "web" "eu" ];
      description = "Names that select this node with `declos deploy --on @TAG`.";
    };
    healthChecks = mkOption {
      type = types.listOf (types.coercedTo types.str (cmd: { inherit cmd; }) (types.submodule checkOpts));
      default = [ ];
      example = lib.literalExpression ''[ "systemctl is-active nginx" { cmd = "curl -fsS http://127.0.0.1/"; timeout = 10; } ]'';
      description = ''
        Commands run on the host after the new generation is activated, each
        `{ cmd; timeout ? 30; }` (or just the command).  Every one must exit
        0, else the host puts its previous generation back and the deploy
        fails for it.  They are required `system.healthChecks` named
        `deployment-1`, `deployment-2`, … (so `declos switch` runs them too).
      '';
    };
  };

  config = lib.mkIf (cfg.healthChecks != [ ]) {
    system.healthChecks = lib.listToAttrs (lib.imap1 (i: c: lib.nameValuePair "deployment-${toString i}" {
      script = c.cmd;
      inherit (c) timeout;
      required = true;
    }) cfg.healthChecks);
  };
}

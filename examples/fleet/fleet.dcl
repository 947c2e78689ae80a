# A fleet of three machines, deployed together over ssh:
#
#   declos deploy examples/fleet/fleet.dcl              # all three
#   declos deploy examples/fleet/fleet.dcl --on @web    # web1 and web2
#   declos deploy examples/fleet/fleet.dcl --on ops --dry-run
#
# Every node is `defaults` (./common.dcl) plus its own module: two web
# servers serving the same site and an operations host that probes them.
# `deployment.*` says how to reach each one (targetHost defaults to the
# node's name) and what must hold once it is switched (healthChecks): a
# host that fails them, or cannot be logged into again to confirm the
# switch, puts its previous generation back by itself.
#
# The hosts need declos on the PATH of commands run over ssh (for example
# `pip install declos` into /opt/declos and a link in /usr/local/bin).
{
  defaults = ./common.dcl;

  nodes = {
    web1 = {
      imports = [ ./web.dcl ];
      deployment.targetHost = "web1.example.org";
    };

    web2 = {
      imports = [ ./web.dcl ];
      deployment.targetHost = "web2.example.org";
    };

    ops = {
      imports = [ ./ops.dcl ];
      deployment.targetHost = "ops.example.org";
      deployment.tags = [ "ops" ];
    };
  };
}

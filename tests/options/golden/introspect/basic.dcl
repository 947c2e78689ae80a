# A small web service: options declared here and in ./web-options.dcl.
{ lib, config, ... }:
{
  imports = [ ./web-options.dcl ];

  options.networking.hostName = lib.mkOption {
    type = lib.types.str;
    default = "declos";
    example = "www";
    description = "The name of this machine.";
  };
  options.secret = lib.mkOption {
    type = lib.types.str;
    internal = true;
    default = "hidden";
    description = "Internal: only with --all.";
  };

  config = lib.mkMerge [
    {
      networking.hostName = "web1";
      services.web.enable = true;
      services.web.port = lib.mkForce 443;
      services.web.hosts = lib.mkAfter [ "z.example" ];
      services.web.vhosts.docs.root = "/srv/docs";
    }
    (lib.mkIf (!config.services.web.enable) { services.web.port = 81; })
    { services.web.hosts = lib.mkBefore [ "a.example" ]; }
    { services.web.hosts = [ "m.example" ]; }
  ];
}

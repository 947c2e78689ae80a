# Definitions deep inside the options of ./nested-options.dcl.
{ lib, config, ... }:
{
  imports = [ ./nested-options.dcl ];

  config = lib.mkMerge [
    {
      services.proxy.sites."example.org" = {
        locations."/api".proxyPass = "http://127.0.0.1:8080";
        locations."/".priority = lib.mkForce 10;
        listen = [
          {
            addr = "0.0.0.0";
            port = 8080;
          }
          { addr = "::"; }
        ];
      };
      services.proxy.sites.other = { };
      services.proxy.settings = {
        LogLevel = "debug";
        Extra = "yes";
      };
      services.proxy.headers.X-Frame = "DENY";
      services.proxy.headers.X-Frame2 = lib.mkDefault "SAMEORIGIN";
      services.proxy.backup.dir = "/var/backup";
      services.proxy.scripts.hello = "echo hello";
      services.proxy.scripts.bye.text = "echo bye";
    }
    (lib.mkIf (config.services.proxy.headers != { }) {
      services.proxy.sites."example.org".locations."/api".priority = 500;
    })
    (lib.mkIf false {
      services.proxy.sites."example.org".locations."/api".priority = 1;
    })
  ];
}

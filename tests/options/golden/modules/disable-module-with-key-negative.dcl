{ lib, ... }:
{
  imports = [ ./disable-module-with-key.dcl ];
  disabledModules = [ { key = "disable-me"; } ];
}

{ lib, config, ... }:
{
  imports = [ { warnings = [ "first warning" ]; } ];
  warnings = lib.optional (!config.enable) "enable is off";
  assertions = [
    { assertion = config.enable; message = "needs enable"; }
    { assertion = true; message = "fine"; }
    { assertion = false; message = "second failure"; }
  ];
}

{ config, ... }:
{
  assertions = [
    { assertion = config.enable; message = "enable must be set"; }
    { assertion = false; message = "always fails"; }
  ];
}

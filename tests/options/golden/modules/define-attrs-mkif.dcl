{ lib, config, ... }:
{
  users = lib.mkMerge [
    (lib.mkIf config.enable { dave.enable = true; })
    (lib.mkIf (!config.enable) { erin = { }; })
  ];
}

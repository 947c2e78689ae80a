{ config, lib, ... }:
{
  # mkIf's condition reads config without infinite recursion.
  list = lib.mkIf config.enable [ "enabled" ];
}

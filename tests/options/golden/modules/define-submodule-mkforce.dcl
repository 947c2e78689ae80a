{ lib, ... }:
{
  imports = [ { named.forced.myName = "plain"; } ];
  config.named.forced.myName = lib.mkForce "forced";
}

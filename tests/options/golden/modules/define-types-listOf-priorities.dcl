{ lib, ... }:
{
  imports = [ { types.listOfStr = lib.mkDefault [ "default" ]; } { types.listOfStr = [ "plain1" ]; } ];
  types.listOfStr = [ "plain2" ];
}

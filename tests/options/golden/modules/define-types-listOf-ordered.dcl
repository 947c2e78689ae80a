{ lib, ... }:
{
  imports = [ { types.listOfStr = [ "m" ]; } { types.listOfStr = lib.mkOrder 2000 [ "z" ]; } { types.listOfStr = lib.mkOrder 10 [ "a" ]; } ];
  types.listOfStr = lib.mkBefore [ "b" ];
}

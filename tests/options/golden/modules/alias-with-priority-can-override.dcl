{ lib, ... }:
{
  imports = [ (lib.mkAliasOptionModule [ "enableAlias" ] [ "enable" ]) ];
  enableAlias = lib.mkForce true;
  enable = lib.mkVMOverride false;
}

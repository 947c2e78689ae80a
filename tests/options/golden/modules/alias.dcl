{ lib, ... }: { imports = [ (lib.mkAliasOptionModule [ "aliasEnable" ] [ "enable" ]) ]; }

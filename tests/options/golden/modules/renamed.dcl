{ lib, ... }: { imports = [ (lib.mkRenamedOptionModule [ "oldEnable" ] [ "enable" ]) ]; }

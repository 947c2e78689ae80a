{ lib, ... }: { enable = lib.mkIf false true; }

{ lib, ... }: { enable = lib.mkIf "yes" true; }

{ lib, ... }: { config = lib.mkIf false { enable = true; }; }

{ lib, ... }: { config = lib.mkIf true { enable = true; }; }

{ lib, config, ... }: { enable = lib.mkIf true true; }

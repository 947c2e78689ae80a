{ lib, ... }: { config = lib.mkMerge [ (lib.mkIf false { enable = false; }) { enable = true; } ]; }

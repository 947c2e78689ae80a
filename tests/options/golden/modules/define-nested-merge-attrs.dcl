{ lib, ... }: { services = lib.mkMerge [ { web.enable = true; } (lib.mkIf true { web.port = lib.mkDefault 3; }) ]; }

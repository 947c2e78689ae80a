{ lib, ... }: { services.web = lib.mkIf true { enable = true; port = lib.mkDefault 80; }; }

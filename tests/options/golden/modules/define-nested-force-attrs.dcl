{ lib, ... }: { services = lib.mkForce { web.port = 1; }; }

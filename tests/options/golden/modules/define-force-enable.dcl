{ lib, ... }: { enable = lib.mkForce true; }

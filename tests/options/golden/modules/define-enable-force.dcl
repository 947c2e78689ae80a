{ lib, ... }: { enable = lib.mkForce false; }

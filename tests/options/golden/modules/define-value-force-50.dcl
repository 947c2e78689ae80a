{ lib, ... }: { value = lib.mkForce 50; }

{ lib, ... }: { value = lib.mkForce (lib.mkIf false 1); }

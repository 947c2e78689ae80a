{ lib, ... }: { value = lib.mkIf true (lib.mkForce "yes"); }

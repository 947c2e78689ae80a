{ lib, ... }: { source = lib.mkForce "forced"; }

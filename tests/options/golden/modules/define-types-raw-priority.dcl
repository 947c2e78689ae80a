{ lib, ... }: { imports = [ { types.raw = 1; } ]; types.raw = lib.mkForce "forced"; }

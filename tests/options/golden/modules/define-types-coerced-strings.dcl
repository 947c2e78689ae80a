{ lib, ... }: { imports = [ { types.coercedTo = 1; } ]; types.coercedTo = lib.mkForce 2; }

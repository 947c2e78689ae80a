{ lib, ... }: { list = lib.mkForce [ "only" ]; }

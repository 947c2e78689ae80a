{ lib, ... }: { maybe = lib.mkForce null; }

{ lib, ... }: { types.raw = { inner = lib.mkIf false 1; }; }

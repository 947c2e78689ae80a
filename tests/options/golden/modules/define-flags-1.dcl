{ lib, ... }: { flags = { a = true; b = lib.mkDefault true; c = lib.mkIf false true; }; }

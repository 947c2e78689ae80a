{ lib, ... }: { undeclared = lib.mkIf false 1; }

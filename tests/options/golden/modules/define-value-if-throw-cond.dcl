{ lib, ... }: { value = lib.mkIf (throw "condition evaluated") 1; }

{ lib, ... }: { value = lib.mkIf false (throw "never evaluated"); }

{ lib, ... }: { value = lib.mkMerge 1; }

{ lib, ... }: { value = lib.mkDefault 1; }

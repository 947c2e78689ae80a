{ lib, ... }: { value = lib.mkDefault 2; }

{ lib, ... }: { value = lib.mkOverride 900 900; }

{ lib, ... }: { options.set.enable = lib.mkEnableOption "nested"; }

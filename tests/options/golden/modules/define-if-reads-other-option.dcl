{ lib, config, ... }: { value = lib.mkIf config.enable 99; }

{ lib, config, ... }: { attrsOfSub = lib.mkIf config.enable { foo.enable = true; }; }

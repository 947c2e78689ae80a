{ lib, config, ... }: { attrsOfSub.foo.enable = lib.mkIf config.enable true; }

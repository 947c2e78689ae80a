{ lib, config, ... }: { attrsOfSub.foo = lib.mkIf config.enable { enable = true; }; }

{ lib, config, ... }: lib.mkIf config.enable { attrsOfSub.foo.enable = true; }

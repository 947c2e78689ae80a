{ lib, ... }: { options.flags = lib.mkOption { type = lib.types.attrsOf lib.types.bool; default = { }; }; }

{ lib, ... }: { options.meta = lib.mkOption { type = lib.types.attrsOf lib.types.str; default = { }; }; }

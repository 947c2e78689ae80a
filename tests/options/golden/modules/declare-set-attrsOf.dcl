{ lib, ... }: { options.set = lib.mkOption { type = lib.types.attrsOf lib.types.int; default = { }; }; }

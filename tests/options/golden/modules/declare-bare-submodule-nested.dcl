{ lib, ... }: { options.bare.nested = lib.mkOption { type = lib.types.int; default = 1; }; }

{ lib, ... }: { options.uniq = lib.mkOption { type = lib.types.uniq lib.types.int; }; }

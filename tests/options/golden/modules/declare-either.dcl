{ lib, ... }: { options.either = lib.mkOption { type = lib.types.either lib.types.int lib.types.str; }; }

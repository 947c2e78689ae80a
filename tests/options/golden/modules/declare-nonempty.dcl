{ lib, ... }: { options.nonEmpty = lib.mkOption { type = lib.types.nonEmptyListOf lib.types.int; }; }

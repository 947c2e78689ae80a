{ lib, ... }: { options.maybe = lib.mkOption { type = lib.types.nullOr lib.types.int; default = null; }; }

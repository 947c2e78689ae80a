{ lib, ... }: { key = "shared-key"; options.keyed = lib.mkOption { type = lib.types.int; default = 2; }; }

{ lib, ... }: { options.applied = lib.mkOption { type = lib.types.int; default = 1; apply = x: x * 10; }; }

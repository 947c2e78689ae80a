{ lib, ... }: { options.percent = lib.mkOption { type = lib.types.ints.between 0 100; }; }

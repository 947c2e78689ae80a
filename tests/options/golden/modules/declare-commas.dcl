{ lib, ... }: { options.csv = lib.mkOption { type = lib.types.commas; }; }

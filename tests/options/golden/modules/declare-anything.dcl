{ lib, ... }: { options.any = lib.mkOption { type = lib.types.anything; }; }

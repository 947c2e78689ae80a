{ lib, ... }: { options.ro2 = lib.mkOption { type = lib.types.int; readOnly = true; }; }

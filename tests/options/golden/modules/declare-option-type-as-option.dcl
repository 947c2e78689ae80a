{ lib, ... }: { options.result = lib.types.str; }

{ lib, special, ... }: { options.fromSpecial = lib.mkOption { type = lib.types.str; default = special; }; }

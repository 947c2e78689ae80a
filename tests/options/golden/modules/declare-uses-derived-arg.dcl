{ lib, derivedArg, ... }: { options.usesArg = lib.mkOption { type = lib.types.str; default = derivedArg; }; }

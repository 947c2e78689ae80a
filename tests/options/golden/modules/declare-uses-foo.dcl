{ lib, foo, ... }: { options.fooValue = lib.mkOption { type = lib.types.str; default = foo; }; }

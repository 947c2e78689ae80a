{ lib, ... }: { imports = [ (lib.mkRenamedOptionModule [ "a" "b" ] [ "c" "d" "e" ]) ]; options.c.d.e = lib.mkOption { type = lib.types.int; default = 0; }; }

{ imports = [ ({ lib, ... }: { options.fromFn = lib.mkOption { type = lib.types.str; default = "fn"; }; }) ]; }

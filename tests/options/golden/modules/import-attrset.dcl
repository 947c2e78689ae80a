{ lib, ... }: { imports = [ { options.fromSet = lib.mkOption { type = lib.types.str; default = "set"; }; } ]; }

{ lib, ... }:
let m = { key = "only-once"; options.once = lib.mkOption { type = lib.types.int; default = 1; }; };
in { imports = [ m m ]; }

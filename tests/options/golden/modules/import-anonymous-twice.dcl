{ lib, ... }:
let m = { options.twice = lib.mkOption { type = lib.types.int; default = 1; }; };
in { imports = [ m m ]; }

{ lib, ... }:
{ options.sorted = lib.mkOption { type = lib.types.listOf lib.types.int; default = [ ]; apply = lib.sort (a: b: a < b); }; }

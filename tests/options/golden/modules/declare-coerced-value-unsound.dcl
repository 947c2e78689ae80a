{ lib, ... }:
{ options.value = lib.mkOption { type = lib.types.coercedTo lib.types.str lib.toInt lib.types.ints.s8; default = "12"; }; }

{ lib, ... }:
{
  imports = [ { types.deferred = { options.a = lib.mkOption { type = lib.types.int; }; }; } ];
  types.deferred = { a = 5; };
}

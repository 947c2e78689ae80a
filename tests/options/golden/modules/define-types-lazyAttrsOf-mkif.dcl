{ lib, ... }: { types.lazyAttrsOfInt = { a = 1; gone = lib.mkIf false 2; }; }

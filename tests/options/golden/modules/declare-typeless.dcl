{ lib, ... }: { options.untyped = lib.mkOption { default = { a = 1; }; }; }

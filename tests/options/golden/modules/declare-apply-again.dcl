{ lib, ... }: { options.sorted = lib.mkOption { apply = x: x; }; }

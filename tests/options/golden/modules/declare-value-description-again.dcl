{ lib, ... }: { options.value = lib.mkOption { description = "second"; }; }

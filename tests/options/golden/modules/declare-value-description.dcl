{ lib, ... }: { options.value = lib.mkOption { description = "first"; }; }

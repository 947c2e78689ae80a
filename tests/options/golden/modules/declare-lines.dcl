{ lib, ... }: { options.text = lib.mkOption { type = lib.types.lines; default = ""; }; }

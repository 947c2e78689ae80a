{ lib, ... }: { options.meta.words = lib.mkOption { type = lib.types.separatedString " "; }; }

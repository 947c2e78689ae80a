{ lib, ... }: { options.lazy = lib.mkOption { type = lib.types.lazyAttrsOf lib.types.int; default = { }; }; }

{ lib, ... }: { options.bare = lib.mkOption { type = lib.types.submodule { }; default = { }; }; }

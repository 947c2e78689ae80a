{ lib, ... }: { options.fn = lib.mkOption { type = lib.types.functionTo (lib.types.listOf lib.types.int); }; }

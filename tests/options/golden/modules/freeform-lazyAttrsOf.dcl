{ lib, ... }: { freeformType = lib.types.lazyAttrsOf (lib.types.either lib.types.str lib.types.bool); }

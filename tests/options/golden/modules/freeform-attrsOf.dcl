{ lib, ... }: { freeformType = lib.types.attrsOf (lib.types.either lib.types.str lib.types.bool); }

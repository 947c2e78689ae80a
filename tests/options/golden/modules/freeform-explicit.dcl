{ lib, ... }: { config._module.freeformType = lib.types.attrsOf lib.types.int; }

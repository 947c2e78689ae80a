{ lib, ... }: { value = lib.mkImageMediaOverride 60; }

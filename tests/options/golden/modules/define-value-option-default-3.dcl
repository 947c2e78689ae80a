{ lib, ... }: { value = lib.mkOptionDefault 3; }

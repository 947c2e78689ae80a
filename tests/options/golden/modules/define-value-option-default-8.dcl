{ lib, ... }: { value = lib.mkOptionDefault 8; }

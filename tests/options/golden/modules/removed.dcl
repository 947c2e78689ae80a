{ lib, ... }: { imports = [ (lib.mkRemovedOptionModule [ "gone" ] "Use `enable' instead.") ]; }

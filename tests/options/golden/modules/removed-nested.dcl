{ lib, ... }: { imports = [ (lib.mkRemovedOptionModule [ "services" "old" ] "It was unmaintained.") ]; }

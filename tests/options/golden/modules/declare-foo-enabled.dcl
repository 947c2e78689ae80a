{ lib, ... }: { options.services.foo.enabled = lib.mkOption { type = lib.types.bool; default = false; }; }

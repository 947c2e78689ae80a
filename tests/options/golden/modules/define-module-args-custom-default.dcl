{ lib, ... }: { _module.args.custom = lib.mkDefault false; }

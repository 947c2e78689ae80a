{ lib, ... }: { options.hostname = lib.mkOption { type = lib.types.strMatching "[a-z][a-z0-9-]*"; }; }

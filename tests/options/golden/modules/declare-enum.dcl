{ lib, ... }: { options.level = lib.mkOption { type = lib.types.enum [ "low" "high" ]; default = "low"; }; }

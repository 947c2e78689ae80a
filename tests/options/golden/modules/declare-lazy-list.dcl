{ lib, ... }: { options.lazyLists = lib.mkOption { type = lib.types.lazyAttrsOf (lib.types.listOf lib.types.int); default = { }; }; }

{ lib, ... }: { lazyLists.a = lib.mkIf false [ 1 ]; lazyLists.b = [ 2 ]; }

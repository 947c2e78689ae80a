{ pkg = { type = "derivation"; name = "hello"; outPath = "/nix/store/00000000000000000000000000000000-hello"; }; }

../lib/default.nix

with builtins; match "(.*)\\.tar\\.(gz|xz|bz2)" "nix-2.8.tar.xz"

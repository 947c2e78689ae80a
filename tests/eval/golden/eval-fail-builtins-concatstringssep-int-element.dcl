# expected per Nix manual; 2.8 differs: current Nix appends the value
builtins.concatStringsSep "," [ 1 ]

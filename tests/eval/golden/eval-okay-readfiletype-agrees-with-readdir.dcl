# expected per Nix manual; 2.8 differs: builtins.readFileType is missing in 2.8
builtins.mapAttrs (name: type: type == builtins.readFileType (./data/dir + "/${name}")) (builtins.readDir ./data/dir)

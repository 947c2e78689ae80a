{ inherit (pkgs) hello; inherit (pkgs.lib) mkIf mkMerge; }

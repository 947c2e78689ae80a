# expected per Nix manual; 2.8 differs: 2.8 says 'reading from file: Is a directory', naming no path; current Nix names it
builtins.hashFile "sha256" "${toString ./data}/dir/"

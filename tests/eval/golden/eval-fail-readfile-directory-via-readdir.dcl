# expected per Nix manual; 2.8 differs: 2.8 says 'reading from file: Is a directory', naming no path; current Nix names it
let
  files = builtins.readDir ./data;
  contents = builtins.mapAttrs (name: _: builtins.readFile (./data + "/${name}")) files;
in
  contents

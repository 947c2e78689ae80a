# expected per Nix manual; 2.8 differs: current nix-instantiate ends --json output with a newline (2.8 does not)
"string \"with\" \n escapes"

{ imports = [ { _type = "flake"; } ]; }

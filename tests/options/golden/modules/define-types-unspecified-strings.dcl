{ imports = [ { types.unspecified = "ab"; } ]; types.unspecified = "cd"; }

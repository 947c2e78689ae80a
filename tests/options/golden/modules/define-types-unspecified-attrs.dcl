{ imports = [ { types.unspecified = { a = 1; b = 1; }; } ]; types.unspecified = { b = 2; }; }

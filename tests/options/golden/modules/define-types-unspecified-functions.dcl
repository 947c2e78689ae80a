{ imports = [ { types.unspecified = x: [ x ]; } ]; types.unspecified = x: [ (x + 1) ]; }

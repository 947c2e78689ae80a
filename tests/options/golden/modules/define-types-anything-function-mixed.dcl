{ imports = [ { types.anything.f = x: x; } ]; types.anything.f = 1; }

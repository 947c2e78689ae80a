{ imports = [ { types.functionTo = x: x; } ]; types.functionTo = x: x; }

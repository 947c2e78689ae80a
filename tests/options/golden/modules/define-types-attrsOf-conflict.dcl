{ imports = [ { types.attrsOfInt.a = 1; } ]; types.attrsOfInt.a = 2; }

{ imports = [ { types.nullOrInt = null; } ]; types.nullOrInt = null; }

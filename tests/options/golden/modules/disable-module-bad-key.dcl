{ disabledModules = [ { notAKey = 1; } ]; }

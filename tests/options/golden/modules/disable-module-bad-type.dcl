{ disabledModules = [ 42 ]; }

{ disabledModules = [ ./disable-recursive-bar.dcl ]; }

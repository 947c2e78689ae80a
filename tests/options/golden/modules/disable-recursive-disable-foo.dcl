{ disabledModules = [ ./disable-recursive-foo.dcl ]; }

{ disabledModules = [ "define-enable.dcl" ]; }

{ disabledModules = [ ./define-enable.dcl ]; }

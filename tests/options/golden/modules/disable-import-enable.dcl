{ disabledModules = [ ./import-enable.dcl ]; }

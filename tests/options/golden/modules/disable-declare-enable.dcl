{ disabledModules = [ ./declare-enable.dcl ]; }

{ disabledModules = [ (toString ./define-enable.dcl) ]; }

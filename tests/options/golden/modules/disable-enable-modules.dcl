{ disabledModules = [ "define-enable.dcl" "declare-enable.dcl" ]; }

{ imports = [ ./declare-enable.dcl ./define-enable.dcl ]; }

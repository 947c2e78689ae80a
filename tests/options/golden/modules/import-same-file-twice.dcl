{ imports = [ ./declare-enable.dcl ./declare-enable.dcl ./define-enable.dcl ]; }

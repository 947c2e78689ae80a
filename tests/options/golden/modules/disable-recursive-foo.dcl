{ imports = [ ./declare-enable.dcl ]; }

{ imports = [ [ ./declare-enable.dcl ] ]; }

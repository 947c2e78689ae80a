{ imports = [ (toString ./declare-enable.dcl) ]; }

{ imports = [ ./import-enable.dcl ]; }

import ./lib/value.dcl

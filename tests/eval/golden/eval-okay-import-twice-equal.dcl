let a = import ./lib/value.dcl; b = import ./lib/value.dcl; in a == b

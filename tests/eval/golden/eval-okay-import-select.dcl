(import ./lib/value.dcl).answer + 1

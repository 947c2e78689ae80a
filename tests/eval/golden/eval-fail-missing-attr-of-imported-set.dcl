(import ./lib/value.dcl).missingName

import ./value.dcl

# Imports cycle-b.dcl, which imports this file back (eval-fail-import-two-file-cycle).
{
  value = import ./cycle-b.dcl;
}.value

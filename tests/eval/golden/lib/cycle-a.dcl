# Imports cycle-b.dcl, which imports this file back (eval-fail-import-2).
{
  value = import ./cycle-b.dcl;
}.value

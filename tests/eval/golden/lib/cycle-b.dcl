# The other half of the cycle of cycle-a.dcl.
let
  a = import ./cycle-a.dcl;
in
a + 1

import ./lib/fn.dcl { x = 5; }

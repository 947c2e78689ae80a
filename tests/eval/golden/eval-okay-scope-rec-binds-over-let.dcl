let x = 1; in rec { y = x; x = 2; }.y

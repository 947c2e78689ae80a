let a = 1; b = 2; in let inherit a; c = b; in [ a c ]

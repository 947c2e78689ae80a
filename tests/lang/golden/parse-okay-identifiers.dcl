let a' = 1; b-c = 2; _d = 3; e'' = a'; in [ a' b-c _d e'' ]

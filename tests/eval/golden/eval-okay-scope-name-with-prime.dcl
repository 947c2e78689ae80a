let with' = 1; in with' + 1

let ${b} = 1; in 1

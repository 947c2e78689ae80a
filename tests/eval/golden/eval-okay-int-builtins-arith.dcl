[ (builtins.div 17 5) (builtins.div (-17) 5) (builtins.mul 3 (-4)) (builtins.sub 1 10) (builtins.add 2 3) ]

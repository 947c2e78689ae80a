[ (builtins.add 1 2) (builtins.sub 5 7) (builtins.mul 6 7) (builtins.div 9 2) (builtins.div (-9) 2) ]

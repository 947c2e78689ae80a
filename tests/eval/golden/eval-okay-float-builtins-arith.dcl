[ (builtins.div 7.0 2) (builtins.mul 1.5 2) (builtins.add 1 0.25) (builtins.sub 0.5 1) ]

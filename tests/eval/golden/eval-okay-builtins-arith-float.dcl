[ (builtins.add 1.5 2) (builtins.mul 2 0.5) (builtins.div 1 2.0) (builtins.sub 0 1.5) ]

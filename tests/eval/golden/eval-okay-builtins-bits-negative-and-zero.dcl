[ (builtins.bitAnd (-1) 255) (builtins.bitOr 0 0) (builtins.bitXor (-1) 0) (builtins.bitAnd 0 (-1)) (builtins.bitXor 5 5) ]

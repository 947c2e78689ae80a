with builtins; [ (toString 1) (toString (-5)) (toString true) (toString false) (toString null) (toString "s") ]

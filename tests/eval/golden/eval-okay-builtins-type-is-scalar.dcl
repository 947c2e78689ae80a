with builtins; [ (isInt 1) (isInt 1.0) (isFloat 1.0) (isFloat 1) (isString "") (isString ./.) (isBool false) (isBool null) (isNull null) (isNull false) ]

with builtins; typeOf (fromJSON "1.0")

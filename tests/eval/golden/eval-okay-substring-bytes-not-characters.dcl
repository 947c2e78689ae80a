with builtins; [ (substring 0 2 "λx") (stringLength (substring 0 2 "λx")) ]

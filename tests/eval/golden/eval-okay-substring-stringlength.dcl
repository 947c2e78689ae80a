with builtins; [ (stringLength "") (stringLength "abc") (stringLength "λ") (stringLength "a\nb") ]

with builtins; [ (substring 2 (-1) "hello") (substring 0 5 "") (substring 5 1 "hello") ]

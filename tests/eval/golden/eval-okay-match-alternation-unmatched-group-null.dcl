with builtins; match "(a)|(b)" "b"

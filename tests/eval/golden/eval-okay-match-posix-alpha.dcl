with builtins; match "[[:alpha:]]+" "abcXYZ"

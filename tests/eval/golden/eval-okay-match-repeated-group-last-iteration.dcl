with builtins; match "((a)|b)+" "ab"

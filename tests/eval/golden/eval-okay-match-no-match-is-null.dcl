with builtins; match "x" "abc"

with builtins; match "a" "a"

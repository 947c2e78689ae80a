with builtins; match "(x)?y" "y"

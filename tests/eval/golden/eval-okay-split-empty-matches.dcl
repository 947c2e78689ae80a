with builtins; split "a*" "bab"

with builtins; split "x" "abc"

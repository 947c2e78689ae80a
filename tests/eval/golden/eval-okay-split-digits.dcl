with builtins; split "([[:digit:]]+)" "v1.22.333"

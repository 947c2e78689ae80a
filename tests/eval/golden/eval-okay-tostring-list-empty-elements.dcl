with builtins; toString [ 1.5 "" [ ] ]

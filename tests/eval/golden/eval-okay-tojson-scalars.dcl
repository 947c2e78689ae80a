with builtins; map toJSON [ 1 (-1) "str" true null [ ] { } ]

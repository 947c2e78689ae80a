with builtins; sort (a: b: length a < length b) [ [ 1 2 ] [ 1 ] [ ] [ 3 ] ]

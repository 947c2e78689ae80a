with builtins; groupBy (x: x) [ ]

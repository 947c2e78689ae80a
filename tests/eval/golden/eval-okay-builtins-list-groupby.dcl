with builtins; groupBy (s: substring 0 1 s) [ "apple" "avocado" "banana" "cherry" "blueberry" ]

with builtins; groupBy (x: if x > 2 then "big" else "small") [ 1 5 2 4 ]

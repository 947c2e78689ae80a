with builtins; [ (partition (x: true) [ ]) (partition (x: false) [ 1 ]) ]

[ (builtins.head == builtins.head) ((x: x) == (x: x)) ]

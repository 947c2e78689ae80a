builtins.length (builtins.concatLists (builtins.genList (i: [ i i ]) 50000))

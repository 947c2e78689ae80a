# expected per Nix manual; 2.8 differs: 2.8 names it 'tail'
builtins.tail [ ]

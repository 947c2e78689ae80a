# expected per Nix manual; 2.8 differs: 2.8 reports 'list index 0 is out of bounds'
builtins.head [ ]

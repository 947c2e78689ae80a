# expected per Nix manual; 2.8 differs: 2.8 adds "for call to 'getAttr'"
builtins.getAttr "nope" { unrelated = 1; }

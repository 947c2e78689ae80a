# expected per Nix manual; 2.8 differs: 2.8 adds "for call to 'listToAttrs'"
builtins.listToAttrs [ { value = 1; } ]

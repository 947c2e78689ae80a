with builtins; listToAttrs [ ]

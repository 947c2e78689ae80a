with builtins; concatStringsSep "/" [ "a" (toString 1) "" "b" ]

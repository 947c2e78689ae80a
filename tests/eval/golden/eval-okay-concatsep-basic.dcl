with builtins; [ (concatStringsSep ", " [ "a" "b" "c" ]) (concatStringsSep "" [ "a" "b" ]) (concatStringsSep "-" [ ]) (concatStringsSep "-" [ "x" ]) ]

with builtins; hashString "sha256" "λ unicode\n"

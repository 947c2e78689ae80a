with builtins; map fromJSON [ "1" "-1" "1.5" "1e3" "1E-2" "true" "null" "\"s\"" "[]" "{}" "0" "-0" ]

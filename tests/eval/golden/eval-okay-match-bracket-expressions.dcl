with builtins; [ (match "[[:alnum:]_]+" "a_1") (match "[[:punct:]]+" "!?.") (match "[^a-z]+" "ABC") (match "[]a]+" "]a]") ]

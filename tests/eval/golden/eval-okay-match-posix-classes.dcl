with builtins; [ (match "[[:digit:]]+" "123") (match "[[:digit:]]+" "12a") (match "[[:space:]]*" " \t\n") (match "[[:upper:]][[:lower:]]*" "Hello") ]

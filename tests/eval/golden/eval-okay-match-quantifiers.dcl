with builtins; [ (match "a{2}" "aaa") (match "a+b*" "aaab") (match "a?" "") (match "(ab)*" "ababab") ]

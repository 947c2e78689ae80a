with builtins; sort lessThan [ "banana" "apple" "Cherry" "apple2" "" ]

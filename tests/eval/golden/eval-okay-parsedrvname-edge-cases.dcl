with builtins; map parseDrvName [ "a-b-c-1.0" "hello" "foo-bar" "foo-1bar" "x-1-2" "" ]

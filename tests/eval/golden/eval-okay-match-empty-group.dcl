with builtins; match "([[:alpha:]]+)([[:digit:]]*)" "abc"

with builtins; match "([a-z]+)-([0-9]+)" "foo-123"

{ value = "foobar"; }

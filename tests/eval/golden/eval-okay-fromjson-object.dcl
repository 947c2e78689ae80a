builtins.fromJSON ''{"a": 1, "b": "two", "c": [1, 2.5, -3e2, true, false, null], "d": {}}''

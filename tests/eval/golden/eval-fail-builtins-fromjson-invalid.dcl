builtins.fromJSON "{ not json"

builtins.fromJSON (builtins.readFile ./data/sample.json)

with builtins; toJSON (builtins.fromJSON ''{"nested":{"a":[1,2,{"b":null}]}}'')

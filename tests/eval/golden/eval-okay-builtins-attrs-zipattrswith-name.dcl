with builtins; zipAttrsWith (name: values: name + toString (length values)) [ { x = 1; } { x = 2; y = 3; } ]

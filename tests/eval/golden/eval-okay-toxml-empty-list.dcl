builtins.toXML [ ]

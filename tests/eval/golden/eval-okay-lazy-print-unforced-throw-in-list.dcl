[ (throw "not forced") ]

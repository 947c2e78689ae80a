builtins.toXML "a <b> & \"c\" 'd'"

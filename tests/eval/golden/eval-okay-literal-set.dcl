{ t = true; f = false; n = null; i = 1; s = "s"; l = [ ]; a = { }; }

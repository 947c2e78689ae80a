{ nonEmpty = [ ]; }

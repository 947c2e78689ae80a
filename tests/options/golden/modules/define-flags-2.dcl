{ flags.b = false; }

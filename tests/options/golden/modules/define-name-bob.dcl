{ name = "bob"; }

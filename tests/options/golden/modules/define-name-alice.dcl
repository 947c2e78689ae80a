{ name = "alice"; }

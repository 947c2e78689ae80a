{ text = "one"; }

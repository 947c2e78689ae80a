{ text = "two"; }

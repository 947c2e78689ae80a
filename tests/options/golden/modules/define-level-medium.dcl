{ level = "medium"; }

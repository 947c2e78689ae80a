{ prefix = "post"; items.two.base = "own"; }

(a + b) * (c -> d)

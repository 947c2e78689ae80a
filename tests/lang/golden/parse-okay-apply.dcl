f a b (g c)

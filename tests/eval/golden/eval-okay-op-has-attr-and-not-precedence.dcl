[ ({ a = 1; } ? a && true) (!{ a = true; }.a) ]

{ value = 43; }

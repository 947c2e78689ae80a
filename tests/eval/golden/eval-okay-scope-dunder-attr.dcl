{ __sub = 1; }.__sub

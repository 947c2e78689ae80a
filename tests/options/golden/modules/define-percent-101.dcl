{ percent = 101; }

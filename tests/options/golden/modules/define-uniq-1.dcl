{ uniq = 1; }

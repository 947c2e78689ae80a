{ uniq = 2; }

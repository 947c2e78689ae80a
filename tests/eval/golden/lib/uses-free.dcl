{ result = freeVar + 1; }

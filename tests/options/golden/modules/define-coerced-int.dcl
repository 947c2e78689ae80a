{ coerced = 42; }

{ untyped = { b = 2; }; }

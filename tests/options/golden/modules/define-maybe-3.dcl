{ maybe = 3; }

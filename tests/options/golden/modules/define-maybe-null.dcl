{ maybe = null; }

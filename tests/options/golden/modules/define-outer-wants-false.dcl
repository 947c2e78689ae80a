{ outerWants = false; }

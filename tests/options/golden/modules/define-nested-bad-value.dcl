{ services = 1; }

{ listen = 22; }

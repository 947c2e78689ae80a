{ listen.port = 22; }

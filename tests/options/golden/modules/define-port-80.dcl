{ port = 80; }

{ settings.port = 2222; settings.MaxAuthTries = 3; }

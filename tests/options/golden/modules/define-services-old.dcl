{ services.old.enable = true; }

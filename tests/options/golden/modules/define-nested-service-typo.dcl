{ services.wbe.enable = true; }

{ config.enable = true; stray = 1; }

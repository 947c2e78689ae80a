{ config = { enable = true; }; }

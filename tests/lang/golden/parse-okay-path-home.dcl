~/.config/declos

{ aliasEnable = true; }

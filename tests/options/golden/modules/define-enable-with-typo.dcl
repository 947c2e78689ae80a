{ enabel = true; }

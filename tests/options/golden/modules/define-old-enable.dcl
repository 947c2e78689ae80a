{ oldEnable = true; }

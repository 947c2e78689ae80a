{ gone = true; }

{ inherit ${b}; }

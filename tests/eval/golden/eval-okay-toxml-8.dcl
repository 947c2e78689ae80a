"string with <tags> & \"quotes\""

"a${b}c${toString 1}d"

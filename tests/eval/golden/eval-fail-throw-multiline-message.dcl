throw "multi-line\n\n  message, trailing blanks dropped  \nend"

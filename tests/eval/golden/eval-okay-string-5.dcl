"multi
line
  string"

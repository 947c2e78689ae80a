''
  no trailing newline''

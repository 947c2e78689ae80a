''
  a ''${x} b
  c ''' d
  e ''\n f ''\t g ''\\ h
''

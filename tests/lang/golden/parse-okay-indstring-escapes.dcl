''
  a ''$ b ''' c ''\n d ''\t e $ f
''

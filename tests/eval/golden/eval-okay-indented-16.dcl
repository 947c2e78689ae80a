''
  a
    b
      c
''

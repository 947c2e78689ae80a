builtins.fromTOML ''
  [a.b.c]
  d = 1
  [a]
  e = 2
''

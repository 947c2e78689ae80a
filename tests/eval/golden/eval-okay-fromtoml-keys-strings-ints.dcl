builtins.fromTOML ''
  "quoted key" = 1
  bare-key_1 = 2
  dotted.key = 3
  str1 = 'literal \n'
  str2 = "basic \t \u00e9"
  int = +42
  neg = -17
  hex = 0xff
  oct = 0o17
  bin = 0b101
  under = 1_000
''

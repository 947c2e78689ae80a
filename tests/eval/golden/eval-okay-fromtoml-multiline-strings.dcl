builtins.fromTOML ''
  multi = """
  line1
  line2"""
  lit = ''''
  raw \n''''
''

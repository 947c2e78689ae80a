''
  dollar $ and $$ and ''$ and \n literal
''

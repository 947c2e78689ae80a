''
  first
 
  after a line with one space
''

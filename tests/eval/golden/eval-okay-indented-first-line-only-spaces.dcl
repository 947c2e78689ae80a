''  
  first line only spaces
''

"tab	literal"

let loop = loop; in if true then 1 else loop

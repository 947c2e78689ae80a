[ (if 1 == 1 then "y" else throw "no") (if false then throw "no" else "n") ]

"${let v = "let"; in v} ${if true then "if" else "else"}"

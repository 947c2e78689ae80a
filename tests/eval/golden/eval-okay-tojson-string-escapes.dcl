with builtins; toJSON "quote\" backslash\\ newline\n tab\t cr\r ctrl\u0001 dollar$ λ"

[ "a\nb" "tab\t" "cr\r" "dollar \${x}" "$" "$$" "back\\slash" ]

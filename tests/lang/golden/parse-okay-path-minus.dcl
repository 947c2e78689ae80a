# `-./a` is one path token, `- ./a` a negation.
[ -./a (- ./a) ]

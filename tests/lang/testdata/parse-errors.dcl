# Parse error positions: chunks separated by `---`; the line holding the
# expectation comment (three hashes, then a quoted regex) is where the error
# must point, and the regex must match its message.
# Read by tests/lang/test_error_positions.py.
1 +
  2 +
  ) ### "unexpected '\)'"
---
{
  a = 1;
  b = 2
} ### "unexpected '}'"
---
{
  a = 1;
  a = 2; ### "attribute 'a' already defined at .*:2:3"
}
---
{
  a.b = 1;
  a.c = 2;
  a.b.d = 3; ### "attribute 'a.b.d' already defined"
}
---
let
  x = 1;
in
  x +
  ### "unexpected end of file"
---
x ''an indented string ### "unterminated indented string"
that never ends
---
"unterminated ### "unterminated string"
---
x: ''
  ok ${x}
  ''
  ''unterminated ### "unterminated indented string"
---
1 + /* never ### "unterminated comment"
closed
---
"${ a ### "unexpected end of file"
---
[ 1 2
  -3 ### "unexpected '-'"
]
---
{ a, b, c,
  a ? 1 ### "duplicate formal function argument 'a'"
}: a
---
let
  ${name} = 1; ### "dynamic attributes not allowed in let"
in 1
---
{
  inherit a
    ${b}; ### "dynamic attributes not allowed in inherit"
}
---
[
  ./etc/ ### "path has a trailing slash"
]
---
{
  big = 9223372036854775808; ### "invalid integer '9223372036854775808'"
}
---
{
  f = 1.0e999; ### "invalid float"
}
---
1 ==
2 == ### "unexpected '=='"
3
---
a <
b < ### "unexpected '<'"
c
---
1 +
  if true then 1 else 2 ### "unexpected 'if'"
---
a.
  b
  .
  ; ### "unexpected ';'"
---
{
  x.1 = 2; ### "unexpected floating-point number"
}
---
a.b.
  (c) ### "unexpected '\('"
---
if a then b ### "unexpected end of file"
---
f = 1; ### "unexpected '='"
---
assert true; 1; ### "unexpected ';'"
---
with pkgs ### "unexpected end of file"
---
{ x }
  ### "unexpected end of file"
---
let a = 1 in a ### "unexpected 'in'"
---
[ (a: a ] ### "unexpected '\]'"
---
1 `2` ### "unexpected character '`'"
---
{ a = { b = 1; }; a.b = 2; } ### "attribute 'a.b' already defined"
---
{
  inherit (x) y;
  y = 1; ### "attribute 'y' already defined"
}
---
x@{ x }: ### "duplicate formal function argument 'x'"
  1
---
''
  ${ ### "unexpected end of file"

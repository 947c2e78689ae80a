"""Parser tables: (source, tree) pairs, starlark's TestExprParseTrees style.

Trees are written as S-expressions by `tree()` below: `(+ a b)` for
operators, `(! x)`, `(neg x)`, `(call f x)`, `(. e a b)` / `(. e a or d)`
for select, `(? e a)` for has-attr, `(fn x body)`, `(str "a" x)`.  The
precedence and associativity cases follow the operator table of the Nix
manual and Nix's yacc grammar.
"""

from __future__ import annotations

import pytest

from declos.lang import ast
from declos.lang.parser import parse


def _name(n) -> str:
    return n if isinstance(n, str) else "${" + tree(n) + "}"


def _bind(b) -> str:
    if isinstance(b, ast.Inherit):
        src = "" if b.source is None else f"({tree(b.source)}) "
        return f"(inherit {src}{' '.join(b.names)})".replace(" )", ")")
    return f"({'.'.join(map(_name, b.path))} {tree(b.value)})"


def tree(e) -> str:
    match e:
        case ast.Int(v) | ast.Float(v):
            return repr(v)
        case ast.Var(name):
            return name
        case ast.Str(parts):
            return (
                "(str"
                + "".join(" " + (repr(p) if isinstance(p, str) else tree(p)) for p in parts)
                + ")"
            )
        case ast.Path(parts):
            return (
                "(path"
                + "".join(" " + (repr(p) if isinstance(p, str) else tree(p)) for p in parts)
                + ")"
            )
        case ast.SearchPath(p):
            return f"<{p}>"
        case ast.Uri(v):
            return f"(uri {v})"
        case ast.BinOp(op, left, right):
            return f"({op} {tree(left)} {tree(right)})"
        case ast.Not(x):
            return f"(! {tree(x)})"
        case ast.Neg(x):
            return f"(neg {tree(x)})"
        case ast.Call(fn, arg):
            return f"(call {tree(fn)} {tree(arg)})"
        case ast.Select(x, path, default):
            tail = "" if default is None else f" or {tree(default)}"
            return f"(. {tree(x)} {' '.join(map(_name, path))}{tail})"
        case ast.HasAttr(x, path):
            return f"(? {tree(x)} {' '.join(map(_name, path))})"
        case ast.Lambda(param, formals, body):
            head = param or ""
            if formals is not None:
                items = [
                    f.name if f.default is None else f"{f.name}?{tree(f.default)}"
                    for f in formals.entries
                ]
                items += ["..."] if formals.ellipsis else []
                head = "{" + " ".join(items) + "}" + (f"@{param}" if param else "")
            return f"(fn {head} {tree(body)})"
        case ast.AttrSet(rec, binds):
            return ("(rec" if rec else "(attrs") + "".join(" " + _bind(b) for b in binds) + ")"
        case ast.List(items):
            return "[" + " ".join(map(tree, items)) + "]"
        case ast.Let(binds, body):
            return "(let" + "".join(" " + _bind(b) for b in binds) + f" in {tree(body)})"
        case ast.With(env, body):
            return f"(with {tree(env)} {tree(body)})"
        case ast.Assert(cond, body):
            return f"(assert {tree(cond)} {tree(body)})"
        case ast.If(c, t, f):
            return f"(if {tree(c)} {tree(t)} {tree(f)})"
    raise TypeError(type(e))


PRECEDENCE = [
    # Select and application bind tightest.
    ("a.b.c", "(. a b c)"),
    ("f a.b c", "(call (call f (. a b)) c)"),
    ("f a b", "(call (call f a) b)"),
    ("a.b or c d", "(call (. a b or c) d)"),
    ("a.b or c.d or e", "(. a b or (. c d or e))"),
    ("f or", "(call f or)"),
    ("f or x", "(call (call f or) x)"),
    ("g f or", "(call g (call f or))"),
    ("(a.b) or", "(call (. a b) or)"),
    ("a.or", "(. a or)"),
    ("(a.b).c", "(. (. a b) c)"),
    # Unary minus, then `?`.
    ("-a ? b", "(? (neg a) b)"),
    ("-f x", "(neg (call f x))"),
    ("- -a", "(neg (neg a))"),
    ("a ? b.c", "(? a b c)"),
    ("a ? b ? c", "(? (? a b) c)"),
    ("a ? b ++ c", "(++ (? a b) c)"),
    # ++ is right-associative and binds tighter than * /.
    ("a ++ b ++ c", "(++ a (++ b c))"),
    ("a * b ++ c", "(* a (++ b c))"),
    ("a ++ b * c", "(* (++ a b) c)"),
    # * / left, above + - left.
    ("a * b / c", "(/ (* a b) c)"),
    ("a + b * c", "(+ a (* b c))"),
    ("a - b - c", "(- (- a b) c)"),
    ("a - b + c", "(+ (- a b) c)"),
    ("a - -b", "(- a (neg b))"),
    ("1 / 2", "(/ 1 2)"),
    ("a / b", "(/ a b)"),
    # ! binds looser than + but may start an operand of it.
    ("!a + b", "(! (+ a b))"),
    ("a + !b + c", "(+ a (! (+ b c)))"),
    ("a * !b", "(* a (! b))"),
    ("a ++ !b", "(++ a (! b))"),
    ("!a // b", "(// (! a) b)"),
    ("!!a", "(! (! a))"),
    ("!a == b", "(== (! a) b)"),
    # // right, above comparisons.
    ("a // b // c", "(// a (// b c))"),
    ("a // b < c", "(< (// a b) c)"),
    ("a + b // c", "(// (+ a b) c)"),
    # Comparison, then equality: both non-associative.
    ("a < b == c > d", "(== (< a b) (> c d))"),
    ("a <= b != c >= d", "(!= (<= a b) (>= c d))"),
    # && above || above ->; -> is right-associative.
    ("a && b || c && d", "(|| (&& a b) (&& c d))"),
    ("a || b || c", "(|| (|| a b) c)"),
    ("a && b && c", "(&& (&& a b) c)"),
    ("a == b && c", "(&& (== a b) c)"),
    ("a -> b -> c", "(-> a (-> b c))"),
    ("a || b -> c", "(-> (|| a b) c)"),
    # Pipes are the loosest operators: |> left, <| right.
    ("a |> f |> g", "(|> (|> a f) g)"),
    ("f <| g <| a", "(<| f (<| g a))"),
    ("a -> b |> f", "(|> (-> a b) f)"),
    # The full ladder in one expression.
    (
        "a -> b || c && d == e < f // !g + h * i ++ j ? k",
        "(-> a (|| b (&& c (== d (< e (// f (! (+ g (* h (++ i (? j k)))))))))))",
    ),
    # Statements extend as far right as possible.
    ("x: y: x", "(fn x (fn y x))"),
    ("x: x + 1", "(fn x (+ x 1))"),
    ("{ a, ... }@x: x", "(fn {a ...}@x x)"),
    ("x@{ a ? 1 }: a", "(fn {a?1}@x a)"),
    ("{ }: 1", "(fn {} 1)"),
    ("if a then b else c + 1", "(if a b (+ c 1))"),
    ("with a; b c", "(with a (call b c))"),
    ("assert a; b", "(assert a b)"),
    ("let a = 1; in a + 1", "(let (a 1) in (+ a 1))"),
    ("let { body = 1; }", "(. (rec (body 1)) body)"),
    ("f (x: x)", "(call f (fn x x))"),
    # Lexical decisions: URIs, paths and division.
    ("x:x", "(uri x:x)"),
    ("a/b", "(path 'a/b')"),
    ("1/2", "(path '1/2')"),
    ("a /b", "(call a (path '/b'))"),
    ("-./a", "(path '-./a')"),
    ("- ./a", "(neg (path './a'))"),
    ("<nixpkgs/lib>", "<nixpkgs/lib>"),
    ("./a/${b}c", "(path './a/' b 'c')"),
    ("a.1", "(call a 0.1)"),
    ("1e3", "(call 1 e3)"),
    ("[ a b.c (d e) ]", "[a (. b c) (call d e)]"),
    ("[ f or ]", "[(call f or)]"),
    (
        '{ a.b = 1; ${c} = 2; "d e" = 3; inherit f; inherit (g) h; }',
        "(attrs (a.b 1) (${c} 2) (d e 3) (inherit f) (inherit (g) h))",
    ),
    ('a.${"b"}."c"', "(. a b c)"),
    ('a."b${c}"', "(. a ${(str 'b' c)})"),
]


@pytest.mark.parametrize("source, expected", PRECEDENCE, ids=[s for s, _ in PRECEDENCE])
def test_parse_tree(source, expected):
    assert tree(parse(source)) == expected


INDENTED = [
    # The first newline right after '' is dropped, and the common indentation.
    ("''\n  a\n  b\n''", "a\nb\n"),
    ("''\n  a\n    b\n''", "a\n  b\n"),
    # Mixed indentation: the smallest wins; blank lines do not count.
    ("''\n    a\n  b\n\n      c\n''", "  a\nb\n\n    c\n"),
    ("''\n  a\n \n  b''", "a\n\nb"),
    # Text on the opening line counts as a line.
    ("''  a\n  b''", "a\nb"),
    ("''a\n  b''", "a\n  b"),
    # The final line, if only spaces, is removed.
    ("''\n  a\n  ''", "a\n"),
    ("''\n  a\n  b ''", "a\nb "),
    # Interpolation at line start ends the leading whitespace.
    ("''\n  ${x}\n    y\n''", "(str x '\\n  y\\n')"),
    ("''\n    ${x}\n  y\n''", "(str '  ' x '\\ny\\n')"),
    # Escapes end the leading whitespace too and are never stripped.
    ("''\n    ''$x\n  y\n''", "  $x\ny\n"),
    ("''\n  '''a\n  b\n''", "''a\nb\n"),
    ("''\n  ''\\n\n  b\n''", "\n\nb\n"),
    ("''\n  ''\\ta\n''", "\ta\n"),
    ("''a''\\\\b''", "a\\b"),
    ("''a''\\''b''", "a''b"),
    # Tabs are not indentation.
    ("''\n\ta\n  b\n''", "\ta\n  b\n"),
    ("''\n  \ta\n  b\n''", "\ta\nb\n"),
    # `$` not followed by `{` and a single `'` are text.
    ("''a $b ' c''", "a $b ' c"),
    ("''$''", "$"),
    ("''''", ""),
    ("''\n''", ""),
    # CR LF in an indented string is kept as it is (Nix does the same).
    ("''\r\n  a\r\n''", "\r\n  a\r\n"),
]


@pytest.mark.parametrize("source, expected", INDENTED, ids=[s for s, _ in INDENTED])
def test_indented_string(source, expected):
    result = parse(source)
    assert isinstance(result, ast.Str)
    if expected.startswith("(str"):
        assert tree(result) == expected
    else:
        assert result.parts == ((expected,) if expected else ())


STRINGS = [
    ('"a\\nb\\tc\\rd"', "a\nb\tc\rd"),
    ('"\\$\\{"', "${"),
    ('"\\${x}"', "${x}"),
    ('"$${x}"', "$${x}"),
    ('"a$"', "a$"),
    ('"\\q"', "q"),
    ('"a\r\nb"', "a\nb"),
    ('"a\rb"', "a\nb"),
]


@pytest.mark.parametrize("source, expected", STRINGS, ids=[s for s, _ in STRINGS])
def test_string_escapes(source, expected):
    assert parse(source) == ast.Str((expected,))

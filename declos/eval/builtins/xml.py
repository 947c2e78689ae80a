"""`toXML` and `to_xml_text` for `declos eval --xml`, in Nix's XML format.

Nix's XMLWriter: a `<?xml version='1.0' encoding='utf-8'?>` header, then
`<expr>` with one element per line indented by two spaces, XML attributes in
name order, empty elements written `<name ... />`.  Sets are `<attrs>` of
`<attr name="...">` in name order (derivations are `<derivation>` and print
only once per drvPath), functions are `<function>` with `<varpat>` or
`<attrspat>`.  `nix-instantiate --xml` adds source positions (path, line,
column) to attributes and functions; `builtins.toXML` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from declos.diagnostics import Span
from declos.eval.builtins.registry import builtin, force
from declos.eval.errors import EvalError
from declos.eval.ops import is_derivation
from declos.eval.printing import format_float
from declos.eval.values import (
    Attrs,
    Closure,
    CtxStr,
    PathValue,
    PrimOp,
    PrimOpApp,
    Thunk,
    Value,
    make_string,
    settle,
)

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator


_XML_ESCAPES = str.maketrans({"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "\n": "&#xA;"})


def _attrs(pairs: dict) -> str:
    return "".join(f' {k}="{str(pairs[k]).translate(_XML_ESCAPES)}"' for k in sorted(pairs))


def _pos_attrs(span: Span | None, out: dict) -> dict:
    if span is not None:
        src = span.source
        if src.path:
            out["path"] = src.path
        line, col = span.line_col
        out["line"] = line
        out["column"] = col
    return out


class _Writer:
    def __init__(self, ev: Evaluator, strict: bool, location: bool):
        self.ev = ev
        self.strict = strict
        self.location = location
        self.out: list[str] = []
        self.context: set = set()
        self.drvs_seen: set[str] = set()

    def empty(self, depth: int, name: str, attrs: dict | None = None) -> None:
        self.out.append(f"{'  ' * depth}<{name}{_attrs(attrs) if attrs else ''} />\n")

    def open(self, depth: int, name: str, attrs: dict | None = None) -> None:
        self.out.append(f"{'  ' * depth}<{name}{_attrs(attrs) if attrs else ''}>\n")

    def close(self, depth: int, name: str) -> None:
        self.out.append(f"{'  ' * depth}</{name}>\n")

    def value(self, v: Value, d: int) -> None:
        if type(v) is Thunk:
            if self.strict or v.forced:
                v = v.force()
            else:
                self.empty(d, "unevaluated")
                return
        v = settle(v)
        t = type(v)
        if t is int:
            self.empty(d, "int", {"value": str(v)})
        elif t is bool:
            self.empty(d, "bool", {"value": "true" if v else "false"})
        elif t is str:
            self.empty(d, "string", {"value": v})
        elif t is CtxStr:
            self.context |= v.context
            self.empty(d, "string", {"value": v.s})
        elif v is None:
            self.empty(d, "null")
        elif t is float:
            self.empty(d, "float", {"value": format_float(v)})
        elif t is PathValue:
            self.empty(d, "path", {"value": v.path})
        elif t is list:
            self.open(d, "list")
            for item in v:
                self.value(item, d + 1)
            self.close(d, "list")
        elif t is Attrs:
            self.attrs(v, d)
        elif t is Closure:
            code = v.code
            self.open(d, "function", _pos_attrs(code.span, {}) if self.location else None)
            if code.formals is not None:
                pat: dict = {}
                if code.param is not None:
                    pat["name"] = code.param
                if code.ellipsis:
                    pat["ellipsis"] = "1"
                self.open(d + 1, "attrspat", pat)
                for name in sorted(n for n, _ in code.formals):
                    self.empty(d + 2, "attr", {"name": name})
                self.close(d + 1, "attrspat")
            else:
                self.empty(d + 1, "varpat", {"name": code.param})
            self.close(d, "function")
        elif t is PrimOp or t is PrimOpApp:
            self.empty(d, "unevaluated")
        else:  # pragma: no cover
            self.empty(d, "unevaluated")

    def _str_attr(self, v: Attrs, name: str) -> str | None:
        x = v.get(name)
        if x is None:
            return None
        if self.strict:
            x = force(x)
        elif type(x) is Thunk:
            if not x.forced:
                return None
            x = x.value
        if type(x) is str:
            return x
        if type(x) is CtxStr:
            return x.s
        return None

    def attrs(self, v: Attrs, d: int) -> None:
        if is_derivation(v):
            xattrs = {}
            drv_path = self._str_attr(v, "drvPath")
            if drv_path is not None:
                xattrs["drvPath"] = drv_path
            out_path = self._str_attr(v, "outPath")
            if out_path is not None:
                xattrs["outPath"] = out_path
            self.open(d, "derivation", xattrs)
            if drv_path and drv_path not in self.drvs_seen:
                self.drvs_seen.add(drv_path)
                self.show_attrs(v, d + 1)
            else:
                self.empty(d + 1, "repeated")
            self.close(d, "derivation")
        else:
            self.open(d, "attrs")
            self.show_attrs(v, d + 1)
            self.close(d, "attrs")

    def show_attrs(self, v: Attrs, d: int) -> None:
        pos = v.pos
        for name in sorted(v):
            xattrs: dict = {"name": name}
            if self.location and pos:
                _pos_attrs(pos.get(name), xattrs)
            self.open(d, "attr", xattrs)
            try:
                self.value(v[name], d + 1)
            except EvalError as e:
                e.add_frame(
                    pos.get(name) if pos else None, f"while evaluating the attribute '{name}'"
                )
                raise
            self.close(d, "attr")


def to_xml(ev: Evaluator, value: Value, strict: bool, location: bool) -> tuple[str, set]:
    w = _Writer(ev, strict, location)
    w.out.append("<?xml version='1.0' encoding='utf-8'?>\n<expr>\n")
    w.value(value, 1)
    w.out.append("</expr>\n")
    return "".join(w.out), w.context


def to_xml_text(ev: Evaluator, value: Value, strict: bool) -> str:
    """What `nix-instantiate --eval --xml` prints (with source positions)."""
    return to_xml(ev, value, strict, True)[0]


@builtin("toXML", ("e",))
def to_xml_(ev, e):
    text, context = to_xml(ev, force(e), True, False)
    return make_string(text, context)

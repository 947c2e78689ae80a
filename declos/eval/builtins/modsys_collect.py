"""collectModules in Python (modules.dcl's collectModulesWithGraph), by the
contract of `modsys_options.py`: the DCL function is an argument, and any
error, or anything but the usual case, is the DCL's.

Every submodule element collects its modules again (its definitions, the
submodule's own modules, evalModules' internal module): loading them was a
fifth of an element's fixed cost.  Here, modules that are sets or functions
are loaded
and given `unifyModuleSyntax`'s record (a function first applied by the
DCL's `applyModuleArgs`, another argument), their imports too, and the
closure is taken as `genericClosure` does (breadth first, each key once).  A module
given as a path or string (an `import`, with its own error context), one
whose `_class` is not the evaluation's, a module that is not a module, an
unknown top-level attribute, imports nested too deep, and any
`disabledModules` are the DCL's: it collects the whole list then.  `graph`
is always the DCL's (computed when read).
"""

from __future__ import annotations

from collections import deque
from typing import Any

from declos.eval import ops
from declos.eval.builtins.attrsets import attr_pos
from declos.eval.builtins.modsys import _lazy_get, _select
from declos.eval.builtins.modsys_merge import _text
from declos.eval.builtins.modsys_options import _dcl_call, _Fallback, _Record
from declos.eval.builtins.registry import accelerator, force, force_list
from declos.eval.errors import EvalError
from declos.eval.values import Attrs, Closure, Thunk, Value

#: unifyModuleSyntax's `known`: the attributes a module may have besides config.
KNOWN = frozenset(
    (
        "_class",
        "_file",
        "key",
        "disabledModules",
        "imports",
        "options",
        "config",
        "meta",
        "freeformType",
    )
)

MAX_DEPTH = 1000
UNKNOWN_FILE = "<unknown-file>"  # modules.dcl's unknownModule


@accelerator(
    "__declosCollectModules",
    ("dcl", "applyModuleArgs", "class", "modulesPath", "initialModules", "args"),
)
def collect_modules(ev, dcl, apply_module_args, class_, modules_path, initial, args):
    reference = _Record(ev, _dcl_call(ev, dcl, [class_, modules_path, initial, args]))
    modules: Value
    try:
        modules = _Collect(ev, apply_module_args, class_, args).collect(initial)
    except (EvalError, _Fallback):
        modules = Thunk(_dcl_attr, (reference, "modules"))
    return Attrs({"modules": modules, "graph": Thunk(_dcl_attr, (reference, "graph"))})


def _dcl_attr(env: tuple) -> Value:
    """An attribute of the DCL's result (computed once, when first read)."""
    reference, name = env
    return force(reference.fallback(name))


class _Collect:
    __slots__ = ("ev", "apply_module_args", "cls", "args")

    def __init__(self, ev: Any, apply_module_args: Value, cls: Value, args: Value):
        self.ev = ev
        self.apply_module_args = apply_module_args
        self.cls = cls
        self.args = args

    def collect(self, initial: Value) -> list:
        """`map (e: e.module) everything`, everything loaded breadth first."""
        work = deque(self.load_all(0, UNKNOWN_FILE, "", initial))
        seen: set[str] = set()
        out = []
        while work:
            key, module, imports = work.popleft()
            if key in seen:
                continue
            seen.add(key)
            # disabledKeys: any module disabling another is the DCL's.
            if force_list(_select(module, "disabledModules")):
                raise _Fallback
            out.append(module)
            depth, file, imported = imports
            work.extend(self.load_all(depth, file, key, imported))
        return out

    def load_all(self, depth: int, parent_file: Value, parent_key: str, modules: Value) -> list:
        """loadAll's entries `(key, module, (depth, file, imports))`, in order."""
        items = force_list(modules)
        if depth > MAX_DEPTH and items:
            raise _Fallback
        out = []
        for n, x in enumerate(items, 1):
            module = self.load(parent_file, f"{parent_key}:anon-{n}", x)
            cls = force(_select(module, "_class"))
            if cls is not None:
                wanted = force(self.cls)
                if wanted is not None and not ops.equals(cls, wanted):
                    raise _Fallback  # checkModule's error
            key = force(_select(module, "key"))
            if type(key) is not str:
                raise _Fallback
            imports = (depth + 1, module["_file"], _select(module, "imports"))
            out.append((key, module, imports))
        return out

    def load(self, file: Value, key: str, x: Value) -> Attrs:
        """loadModule for a function (applyModuleArgs, the DCL's) or a set."""
        m = force(x)
        if type(m) is Closure:
            m = force(self.ev.call_n(force(self.apply_module_args), [key, m, self.args]))
        elif type(m) is Attrs:
            t = m.get("_type")
            if t is not None and force(t) != "module":
                raise _Fallback
        else:
            raise _Fallback  # a path or string (an import), or not a module
        if type(m) is not Attrs:
            raise _Fallback
        return self.unify(file, key, m)

    def unify(self, file: Value, key: str, m: Attrs) -> Attrs:
        """unifyModuleSyntax file key m (file and key: loadModule's fallbacks)."""
        ev = self.ev
        if "config" in m or "options" in m:
            if not m.keys() <= KNOWN:
                raise _Fallback  # "has an unsupported attribute"
            options = m["options"] if "options" in m else Attrs()
            config = Thunk(_config, (m, True))
        else:
            options = Attrs()
            config = Thunk(_config, (m, False))
        return Attrs(
            {
                "_file": Thunk(_to_string_or, (ev, m, "_file", file)),
                "_class": m.get("_class", None),
                "key": Thunk(_to_string_or, (ev, m, "key", key)),
                "disabledModules": m.get("disabledModules", []),
                "imports": m.get("imports", []),
                "_importsPos": Thunk(_imports_pos, m),
                "options": options,
                "config": config,
            }
        )


def _to_string_or(env: tuple) -> str:
    """`toString (m.NAME or fallback)`."""
    ev, m, name, fallback = env
    return _text(ev, m.get(name, fallback), more=True)


def _imports_pos(m: Attrs) -> Value:
    return attr_pos(m, "imports")


def _config(env: tuple) -> Value:
    """`addFreeformType (addMeta (m.config or { }))`, or of the module
    without its known attributes (a module that is only config)."""
    m, explicit = env
    if explicit:
        config = _lazy_get(m, "config") if "config" in m else Attrs()
    else:
        config = Attrs({k: v for k, v in m.items() if k not in KNOWN}, pos=m.pos)
    if "meta" in m:
        config = _merge(config, Attrs({"meta": _lazy_get(m, "meta")}))
    if "freeformType" in m:
        freeform = Attrs({"freeformType": _lazy_get(m, "freeformType")})
        config = _merge(config, Attrs({"_module": freeform}))
    return force(config)


def _merge(*contents: Value) -> Attrs:
    """`mkMerge [ … ]`."""
    return Attrs({"_type": "merge", "contents": list(contents)})

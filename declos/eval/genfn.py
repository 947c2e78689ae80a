"""One generated Python function: lines, temporaries and the environments
it can name.

The code generator (`gen.py`) writes each DCL lambda body, thunk body and
formal default as a Python function `NAME(env)`.  Inside it, every scope
the function creates itself (`let`, `rec`, `with`) lives in a Python local
(`_e3`); a variable of an enclosing scope is reached from the nearest such
local through parent links (`env[0][0][2]`).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from declos.eval.scope import Scope

# A Python expression the generated code may use as a value as it is, with
# nothing to force: a literal or a module constant (`C`, and `G`/`B` globals
# known not to be thunks).
CONSTANT = re.compile(r"[GCB][0-9]+|-?[0-9][0-9.e+-]*|'[^'\\]*'|None|True|False")

INDENT = "    "


class Fn:
    __slots__ = ("name", "lines", "depth", "ntmp", "envs", "args", "tries")

    def __init__(self, name: str, scope: Scope, args: str = "env"):
        self.name = name
        self.args = args
        self.lines: list[str] = []
        self.depth = 1
        # `try` blocks open around generated code (Python allows 20 nested
        # blocks): a builtin's argument computed in its handler (gen_calls).
        self.tries = 0
        self.ntmp = 0
        # id(scope) -> the Python local holding that scope's environment list
        self.envs: dict[int, str] = {id(scope): "env"}

    def tmp(self, prefix: str = "t") -> str:
        self.ntmp += 1
        return f"_{prefix}{self.ntmp}"

    def emit(self, line: str) -> None:
        self.lines.append(INDENT * self.depth + line)

    @contextlib.contextmanager
    def block(self, head: str) -> Any:
        self.emit(head)
        self.depth += 1
        before = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == before:
                self.emit("pass")
            self.depth -= 1

    def env_at(self, scope: Scope, depth: int) -> str:
        """The expression for the environment `depth` levels above `scope`."""
        best_level, best = 0, None
        s: Scope | None = scope
        level = 0
        while s is not None and level <= depth:
            name = self.envs.get(id(s))
            if name is not None:
                best_level, best = level, name
            s = s.parent
            level += 1
        assert best is not None, "no environment of this function encloses the scope"
        return best + "[0]" * (depth - best_level)

    def source(self) -> str:
        return f"def {self.name}({self.args}):\n" + "\n".join(self.lines) + "\n"

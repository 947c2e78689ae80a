"""On-disk parse cache (placeholder: always parses). TODO(#2): cache by content hash."""

from __future__ import annotations

from declos.diagnostics import Source
from declos.lang import ast
from declos.lang.parser import parse_source


def cached_parse(source: Source) -> ast.Expr:
    return parse_source(source)

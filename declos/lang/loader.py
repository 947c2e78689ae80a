"""Reading DCL files and expressions into ASTs, with clear errors for bad files.

`parse_file` is what the evaluator's `import` and the CLI call; it goes
through the on-disk parse cache (declos/lang/cache.py) unless told not to.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from declos.diagnostics import DeclosError, Source

if TYPE_CHECKING:
    from declos.lang import ast

# The parser (and lark) is imported only to parse: an evaluation whose files
# are all in the code cache reads them (`read_source`) but never parses.


def read_source(path: str) -> Source:
    """The `Source` of a file; a missing file, a directory or bad bytes are errors."""
    if path == "-":
        import sys

        return Source(None, sys.stdin.read(), os.getcwd(), "«stdin»")
    abspath = os.path.abspath(path)
    try:
        with open(abspath, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise DeclosError(
            f"getting status of '{abspath}': No such file or directory", code="file-missing"
        ) from None
    except IsADirectoryError:
        raise DeclosError(f"'{abspath}' is a directory, not a file", code="file-is-dir") from None
    except OSError as e:
        raise DeclosError(f"reading '{abspath}': {e.strerror}", code="file-unreadable") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DeclosError(
            f"'{abspath}' is not valid UTF-8 (byte {e.start})", code="file-encoding"
        ) from None
    return Source(abspath, text)


def parse_file(path: str, use_cache: bool = True) -> ast.Expr:
    source = read_source(path)
    if use_cache and source.path is not None:
        from declos.lang.cache import cached_parse

        return cached_parse(source)
    from declos.lang.parser import parse_source

    return parse_source(source)


def parse_expression(text: str, base_dir: str | None = None) -> ast.Expr:
    from declos.lang.parser import parse_source

    return parse_source(Source(None, text, base_dir or os.getcwd()))

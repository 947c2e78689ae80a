"""`declos docs`: the option manual as HTML (with a search box) and Markdown.

Rendered with Jinja2 (`StrictUndefined`, so a missing field is an error, not
an empty string) from `templates/options.html.j2` and `templates/options.md.j2`.
The HTML is one self-contained page: inline CSS and a few lines of inline
JavaScript filtering the options by the words typed (each must be in the
option's full name or its description); no external assets.  Options of
submodules are listed with their full path, however deep
(`services.nginx.virtualHosts.<name>.locations.<name>.proxyPass`).
Descriptions are Markdown (`markdown.py`): rendered to HTML in index.html,
kept as written in options.md.

The output directory is replaced atomically: everything is written to a
temporary directory next to it, which is then renamed into place, so a
reader sees the old manual or the new one, never half of one.  An existing
directory is replaced only if it holds nothing but a manual declos wrote.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

from declos.diagnostics import DeclosError

if TYPE_CHECKING:  # Jinja2 is imported when a manual is rendered
    import jinja2

    from declos.options.introspect import OptionInfo

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
FILES = ("index.html", "options.md")


class DocsOutputError(DeclosError):
    code = "docs-output"


def anchor(name: str) -> str:
    """A stable HTML id for an option name."""
    return "opt-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _environment(autoescape: bool, names: frozenset[str] = frozenset()) -> jinja2.Environment:
    import jinja2
    import markupsafe

    from declos.options.markdown import markdown_to_html, plain_roles

    def link(option: str) -> str | None:
        return "#" + anchor(option) if option in names else None

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["anchor"] = anchor
    env.filters["md_code"] = _md_code
    env.filters["markdown"] = lambda text: markupsafe.Markup(markdown_to_html(text, link))
    env.filters["plain_roles"] = plain_roles
    env.filters["search_text"] = _search_text
    return env


def _search_text(info: OptionInfo) -> str:
    """What the search box matches: the name and the description, lower case."""
    return " ".join(f"{info.name} {info.description or ''}".split()).lower()


def _md_code(text: str) -> str:
    """Inline code for Markdown, or a fenced block when the text spans lines."""
    if "\n" in text:
        fence = "```"
        while fence in text:
            fence += "`"
        return f"\n\n{fence}nix\n{text}\n{fence}\n"
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def render_docs(infos: Sequence[OptionInfo], title: str) -> dict[str, str]:
    """{file name: text} for the options described by `infos` (OptionInfo)."""
    options = [i for i in infos if i.error is None]
    broken = [i for i in infos if i.error is not None]
    context = {"title": title, "options": options, "broken": broken}
    names = frozenset(i.name for i in options)
    html = _environment(True, names).get_template("options.html.j2").render(context)
    md = _environment(False).get_template("options.md.j2").render(context)
    return {"index.html": html, "options.md": md}


def write_docs(
    infos: Sequence[OptionInfo], out_dir: str, title: str = "declos options"
) -> list[str]:
    """Render and install the manual in `out_dir`; return the paths written."""
    texts = render_docs(infos, title)
    out_dir = os.path.abspath(out_dir)
    parent = os.path.dirname(out_dir)
    if os.path.exists(out_dir):
        if not os.path.isdir(out_dir):
            raise DocsOutputError(f"'{out_dir}' exists and is not a directory")
        extra = sorted(set(os.listdir(out_dir)) - set(FILES))
        if extra:
            raise DocsOutputError(
                f"refusing to replace '{out_dir}': it holds files declos docs did not write "
                f"({', '.join(extra[:3])}{', …' if len(extra) > 3 else ''})"
            )
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".declos-docs-", dir=parent)
    except OSError as err:
        raise DocsOutputError(f"cannot write to '{parent}': {err.strerror}") from None
    try:
        for name, text in texts.items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)
        os.chmod(tmp, 0o755)
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [os.path.join(out_dir, name) for name in FILES]


def _swap_into_place(tmp: str, out_dir: str) -> None:
    if not os.path.exists(out_dir):
        os.rename(tmp, out_dir)
        return
    # rename(2) cannot replace a non-empty directory: move the old one aside,
    # put the new one in place, then delete the old one.
    old = tempfile.mkdtemp(prefix=".declos-docs-old-", dir=os.path.dirname(out_dir))
    os.rmdir(old)
    os.rename(out_dir, old)
    try:
        os.rename(tmp, out_dir)
    except OSError:
        os.rename(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)

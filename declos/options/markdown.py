"""Option descriptions, which are Markdown, rendered for `declos docs`.

Descriptions follow the NixOS manual's dialect: CommonMark (with tables),
roles written before inline code (``{option}`services.nginx.enable` ``,
``{command}`…` ``, ``{file}``, ``{var}``, ``{env}``, ``{manpage}``) and
admonitions (`::: {.note}` … `:::`).  HTML uses markdown-it-py, the
CommonMark implementation NixOS' own renderer uses; raw HTML in a
description is escaped, never passed through, and markdown-it refuses
`javascript:` links.  An `{option}` role links to that option's entry when
the manual has one.  The Markdown manual keeps descriptions as written, with
roles turned into plain inline code.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # markdown-it is imported when a manual is rendered
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererProtocol
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

_ROLE_AT_END = re.compile(r"\{(option|command|file|var|env|manpage)\}$")
_ROLE_IN_TEXT = re.compile(r"\{(option|command|file|var|env|manpage)\}(`+)")
_ADMONITION = re.compile(r"^:::\s*\{\.(note|warning|tip|important|caution)\}\s*$")
_ADMONITION_END = re.compile(r"^:::\s*$")


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.core.ruler.push("declos_roles", _roles_rule)
    return md


def _roles_rule(state: StateCore) -> None:
    """`{role}` right before an inline code span: strip it, remember it on the span."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children = token.children
        for text, code in zip(children, children[1:]):
            if text.type == "text" and code.type == "code_inline":
                m = _ROLE_AT_END.search(text.content)
                if m:
                    text.content = text.content[: m.start()]
                    code.meta = {"role": m.group(1)}


def markdown_to_html(text: str, link: Callable[[str], str | None]) -> str:
    """HTML for a description; `link(option name)` gives an `{option}` role's href, or None."""
    md = _parser()

    def code_inline(
        _renderer: RendererProtocol,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        role = (token.meta or {}).get("role")
        body = html.escape(token.content)
        if role is None:
            return f"<code>{body}</code>"
        code = f'<code class="role-{role}">{body}</code>'
        href = link(token.content) if role == "option" else None
        return f'<a href="{html.escape(href)}">{code}</a>' if href else code

    md.add_render_rule("code_inline", code_inline)
    out: list[str] = []
    for kind, chunk in _admonitions(text):
        rendered = md.render(chunk)
        if kind is None:
            out.append(rendered)
        else:
            out.append(
                f'<div class="admonition {kind}"><p class="admonition-title">'
                f"{kind.capitalize()}</p>\n{rendered}</div>\n"
            )
    return "".join(out)


def _admonitions(text: str) -> list[tuple[str | None, str]]:
    """Split `::: {.note}` … `:::` blocks out of the text (not nested)."""
    parts: list[tuple[str | None, str]] = []
    kind: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        start = _ADMONITION.match(line)
        if start and kind is None:
            if lines:
                parts.append((None, "\n".join(lines)))
            kind, lines = start.group(1), []
        elif kind is not None and _ADMONITION_END.match(line):
            parts.append((kind, "\n".join(lines)))
            kind, lines = None, []
        else:
            lines.append(line)
    if lines or not parts:
        parts.append((kind, "\n".join(lines)))
    return parts


def plain_roles(text: str) -> str:
    """``{option}`x` `` → `` `x` ``: roles dropped, for Markdown output and terminals."""
    return _ROLE_IN_TEXT.sub(lambda m: m.group(2), text)

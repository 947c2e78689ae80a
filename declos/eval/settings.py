"""Evaluation settings: Nix's `restrict-eval` and `pure-eval`.

As in Nix (`evalSettings`), the settings are the process's: the command line
sets them once (`--option restrict-eval true`, `--restrict-eval`,
`--pure-eval`) and every `Evaluator` made afterwards takes them, so the
commands that build evaluators deep inside the store and system layers need
not pass them along.  An `Evaluator` can also be given its own.

- restrict-eval: files may be read, imported, listed, tested for existence
  or copied into the store only under the allowed paths (the search path
  entries, the directory of the file being evaluated, paths the evaluation
  itself copied into the store); `getEnv` returns "".
- pure-eval: restrict-eval, plus `DECLOS_PATH` is ignored and
  `builtins.currentTime` does not exist.
- abort-on-warn: `builtins.warn` (and so `lib.warn`) stops the evaluation
  after printing its warning, with the trace that led to it.

Example:
    with using(EvalSettings(restrict_eval=True)):
        Evaluator().eval_source(...)   # readFile "/etc/shadow" is an error
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import attrs

_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


class SettingError(ValueError):
    """A known setting given a value it cannot take."""


@attrs.frozen
class EvalSettings:
    restrict_eval: bool = False
    pure_eval: bool = False
    abort_on_warn: bool = False

    @property
    def restricted(self) -> bool:
        """Whether file access is limited to the allowed paths."""
        return self.restrict_eval or self.pure_eval

    def mode_text(self) -> str:
        """The end of Nix's "access to absolute path … is forbidden …"."""
        if self.pure_eval:
            return "in pure eval mode (use '--impure' to override)"
        return "in restricted mode"

    def key(self) -> list[bool]:
        """What the evaluation cache keys on."""
        return [self.restrict_eval, self.pure_eval, self.abort_on_warn]

    def with_option(self, name: str, value: str) -> EvalSettings:
        """`--option NAME VALUE`; an unknown NAME raises KeyError (Nix warns)."""
        field = {
            "restrict-eval": "restrict_eval",
            "pure-eval": "pure_eval",
            "abort-on-warn": "abort_on_warn",
        }.get(name)
        if field is None:
            raise KeyError(name)
        if value in _TRUE:
            return attrs.evolve(self, **{field: True})
        if value in _FALSE:
            return attrs.evolve(self, **{field: False})
        raise SettingError(f"Boolean setting '{name}' has invalid value '{value}'")


_current = EvalSettings()


def current() -> EvalSettings:
    """The settings new evaluators take."""
    return _current


def configure(settings: EvalSettings) -> None:
    global _current
    _current = settings


@contextlib.contextmanager
def using(settings: EvalSettings) -> Iterator[EvalSettings]:
    """`settings` for the evaluators made inside the block (tests, library use)."""
    previous = current()
    configure(settings)
    try:
        yield settings
    finally:
        configure(previous)

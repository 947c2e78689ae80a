"""Helpers for builtin unit tests: evaluate DCL text and print it as Nix would."""

from __future__ import annotations

import os

import pytest

from declos.diagnostics import Source
from declos.eval.errors import EvalError
from declos.eval.evaluator import Evaluator
from declos.eval.printing import print_value


def _default_evaluator() -> Evaluator:
    """What `declos eval` uses: the store glue in read-only mode (paths are
    computed under /nix/store, nothing is written)."""
    from declos.store.builtins import EvalStore, evaluator_with_store

    return evaluator_with_store(EvalStore.read_only())


def _eval(text: str, evaluator: Evaluator | None = None):
    ev = evaluator or _default_evaluator()
    v = ev.eval_source(Source(None, text, os.getcwd(), "«string»"))
    ev.force_deep(v)
    return v


@pytest.fixture
def nix():
    """`nix("expr")` → the text `nix-instantiate --eval --strict` prints."""

    def run(text: str, evaluator: Evaluator | None = None) -> str:
        return print_value(_eval(text, evaluator))

    return run


@pytest.fixture
def nix_error():
    """`nix_error("expr")` → the message of the error evaluating it raises."""

    def run(text: str, evaluator: Evaluator | None = None) -> str:
        with pytest.raises(EvalError) as info:
            _eval(text, evaluator)
        return info.value.message

    return run

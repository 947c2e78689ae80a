"""`declos repl CONFIG`: a prompt on an evaluated configuration, as `nix repl` is used.

In scope: `config`, `options`, `lib` and `pkgs` (`config._module.args.pkgs`),
as in `nix repl '<nixpkgs/nixos>'`, plus the names the user binds with
`NAME = EXPR` (lazily, as nix repl).  An expression's value is printed one
level deep (`{ a = 1; b = { … }; }`); `:p EXPR` prints it all.  Commands:

    :p EXPR          print deeply          :t EXPR       the value's type
    :e/:explain OPT  why OPT has its value  :o OPT        the option, as `declos options`
    :r               reload the configuration         :q            quit

Tab completes attribute paths (`config.services.ng<TAB>`, quoted names
included) and option paths after `:e`/`:o`; history persists in
`$XDG_DATA_HOME/declos/repl-history` (`~/.local/share/…`).  An error is
printed as `declos` prints it and the prompt comes back; Ctrl-C abandons the
line or the evaluation, Ctrl-D leaves.  Completion and printing are in
`repl_support.py`; this module owns the session and the terminal loop.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar, TypeVarTuple

from declos.diagnostics import DeclosError, Source, render
from declos.eval.evaluator import Evaluator
from declos.eval.values import Attrs, Thunk, Value, force, show_type
from declos.lang.parser import parse_source
from declos.options.repl_support import (
    DELIMITERS,
    complete_word,
    current_word,
    print_value,
    run_interruptibly,
    split_path,
)

if TYPE_CHECKING:  # imported when an option is shown
    from declos.options.introspect import OptionInfo

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

PROMPT = "declos> "
_BINDING = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_'-]*)\s*=(?!=)(.*)$", re.S)
HELP = """\
The following commands are available:

  <expr>           Evaluate and print an expression (one level deep)
  <x> = <expr>     Bind a name to an expression (lazily)
  :p <expr>        Evaluate and print an expression deeply
  :t <expr>        Show the type of an expression
  :e, :explain <option>
                   Explain an option's value: every definition, its priority and verdict
  :o, :option <option>
                   Show an option: type, default, description, declarations, value
  :r, :reload      Evaluate the configuration again (after editing it)
  :q, :quit        Leave (or Ctrl-D)
  :?, :help        This help

In scope: config, options, lib, pkgs (and builtins). Tab completes attribute paths.
"""


class ReplSession:
    """An evaluated configuration and the names in scope; no terminal here."""

    def __init__(
        self,
        config_path: str,
        make_evaluator: Callable[[], Evaluator],
        search_path: Sequence[str] = (),
    ) -> None:
        self.config_path = config_path
        self.make_evaluator = make_evaluator
        self.search_path = list(search_path)
        self.bindings: dict[str, object] = {}
        self.load()

    def load(self) -> None:
        """Evaluate the configuration (again, with a fresh evaluator: `:r`)."""
        from declos.options.configuration import configuration_pkgs, evaluate_configuration

        ev = self.make_evaluator()
        self.ev, self.result = evaluate_configuration(
            self.config_path, self.search_path, evaluator=ev
        )
        self._infos: list[OptionInfo] | None = None
        result = self.result
        lib_source = Source(None, "import <declos/lib>", os.getcwd(), "«repl»")
        self.base = {
            "config": result["config"],
            "options": result["options"],
            "lib": Thunk(lambda _env: ev.eval_source(lib_source), None),
            "pkgs": Thunk(lambda _env: configuration_pkgs(result), None),
        }

    @property
    def scope(self) -> Attrs:
        return Attrs({**self.base, **self.bindings})

    def run(self, fn: Callable[[*_Ts], _T], *args: *_Ts) -> _T:
        return run_interruptibly(fn, *args)

    # --- commands ---------------------------------------------------------------

    def evaluate(self, text: str) -> Value:
        source = Source(None, text, os.getcwd(), "«repl»")
        return self.run(lambda: force(self.ev.eval_source(source, self.scope)))

    def handle(self, line: str) -> str | None:
        """The text to print for one input line; None for `:q`.  Raises DeclosError."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith(":"):
            command, _, arg = line.partition(" ")
            return self._command(command, arg.strip())
        m = _BINDING.match(line)
        if m:
            name, text = m.group(1), m.group(2).strip()
            source = Source(None, text, os.getcwd(), "«repl»")
            scope = self.scope
            # Parsed now (a syntax error is reported at once), evaluated when used.
            parse_source(source)
            self.bindings[name] = Thunk(lambda _env: self.ev.eval_source(source, scope), None)
            return f"Added variable {name}.\n"
        value = self.evaluate(line)
        return self.run(print_value, value, 1) + "\n"

    def _command(self, command: str, arg: str) -> str | None:
        if command in (":q", ":quit"):
            return None
        if command in (":?", ":help"):
            return HELP
        if command in (":r", ":reload"):
            self.load()
            return f"Reloaded '{self.config_path}'.\n"
        if command in (":p", ":print"):
            value = self.evaluate(_needs(arg, command, "an expression"))
            return self.run(print_value, value, 1000) + "\n"
        if command in (":t", ":type"):
            value = self.evaluate(_needs(arg, command, "an expression"))
            return show_type(value) + "\n"
        if command in (":e", ":explain", ":o", ":option"):
            name = _needs(arg, command, "an option name")
            return self.run(self._option_text, name, command in (":e", ":explain"))
        raise ReplCommandError(f"unknown command '{command}' (:? lists the commands)")

    def _option_text(self, name: str, explain: bool) -> str:
        from declos.options.commands import explain_options
        from declos.options.introspect import collect_options, select_options
        from declos.options.show import format_options

        if self._infos is None:
            self._infos = collect_options(self.ev, self.result["options"], True)
        infos: list[OptionInfo] = self._infos
        chosen = select_options(self.ev, self.result["options"], infos, [name])
        return explain_options(chosen) if explain else format_options(chosen)

    def complete(self, word: str, line: str) -> list[str]:
        """Completions of `word` (the text before the cursor since the last delimiter)."""
        option_path = re.match(r"^\s*:(e|explain|o|option)\s+", line) is not None
        if line.lstrip().startswith(":") and not option_path:
            if " " not in line.strip():
                return [c for c in COMMANDS if c.startswith(word)]
        try:
            return self.run(complete_word, self, word, option_path)
        except (DeclosError, KeyboardInterrupt):
            return []


COMMANDS = [":?", ":e", ":explain", ":help", ":o", ":option", ":p", ":print", ":q", ":quit"]
COMMANDS += [":r", ":reload", ":t", ":type"]


class ReplCommandError(DeclosError):
    code = "repl"


def _needs(arg: str, command: str, what: str) -> str:
    if not arg:
        raise ReplCommandError(f"{command} needs {what}")
    return arg


# --- the terminal -----------------------------------------------------------------


def history_file() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local/share")
    return os.path.join(base, "declos", "repl-history")


def run_repl(session: ReplSession, show_trace: bool = False) -> int:
    """Read, evaluate, print until `:q` or end of input; exit status 0."""
    rl = _readline(session)
    out = sys.stdout
    out.write(f"Loaded configuration '{session.config_path}'.\n")
    out.write("Added 4 variables: config, options, lib, pkgs. Type :? for help.\n\n")
    try:
        while True:
            try:
                line = input(PROMPT)
            except EOFError:
                out.write("\n")
                return 0
            except KeyboardInterrupt:
                out.write("\n")
                continue
            try:
                text = session.handle(line)
            except DeclosError as err:
                out.flush()
                sys.stderr.write(render(err, show_trace=show_trace))
                sys.stderr.flush()
                continue
            except KeyboardInterrupt:
                sys.stderr.write("error: interrupted by the user\n")
                continue
            if text is None:
                return 0
            out.write(text)
            out.flush()
    finally:
        if rl is not None:
            _save_history(rl)


def _readline(session: ReplSession) -> ModuleType | None:
    """GNU readline with completion and history, when there is a terminal."""
    if not sys.stdin.isatty():
        return None
    try:
        import readline
    except ImportError:  # pragma: no cover - Python built without readline
        return None
    # Attribute paths are one word: '.' and quotes are not delimiters.
    readline.set_completer_delims(DELIMITERS)
    readline.parse_and_bind("tab: complete")
    readline.set_history_length(1000)
    matches: list[str] = []

    def completer(text: str, state: int) -> str | None:
        nonlocal matches
        if state == 0:
            end = readline.get_endidx()
            line = readline.get_line_buffer()[:end]
            word = current_word(line)
            # Readline replaces only its own word (from begidx): cut ours to it.
            cut = len(word) - (end - readline.get_begidx())
            found = session.complete(word, line)
            matches = [m[cut:] for m in found if m[:cut] == word[:cut]]
        return matches[state] if state < len(matches) else None

    readline.set_completer(completer)
    path = history_file()
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    return readline


def _save_history(readline: ModuleType) -> None:
    path = history_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        readline.write_history_file(path)
    except OSError as err:
        sys.stderr.write(f"warning: cannot save the history in '{path}': {err.strerror}\n")


__all__ = ["ReplSession", "run_repl", "split_path"]

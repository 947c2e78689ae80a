"""Running one derivation's builder and installing its outputs.

Owns `build_one` (inputs must already be valid) and the builders it picks
from: a process builder for any executable, and in-process builders chosen by
a marker builder name:

    builtin:text      env text, executable ("1"), destination ("/bin/x")
    builtin:template  env template (file), templateName, vars (JSON),
                      executable, destination; Jinja2 with StrictUndefined
    builtin:linkfarm  env entries (JSON list of {name, path})
    builtin:buildenv  env paths (space-separated), ignoreCollisions ("1")
    builtin:copy      env src, copied as it is

Outputs are written at same-length temporary paths inside the store (the
builder sees those as `$out`), then `Store.install_outputs` rewrites,
normalises, scans and registers them.  It must not decide build order
(graph.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from typing import BinaryIO

import attrs

from declos.diagnostics import DeclosError, Source, Span
from declos.store import sandbox
from declos.store.derivation import Derivation
from declos.store.fs import copy_tree, remove_tree
from declos.store.hashing import base32_encode
from declos.store.paths import StorePath
from declos.store.pkgs.fetch import fetchurl_builder
from declos.store.store import Store

DEFAULT_TIMEOUT = 3600.0
LOG_TAIL_LINES = 10
HOST_PATH = "/usr/bin:/bin"


class BuildError(DeclosError):
    """A builder failed; `exit_status` is None for an in-process builder or a
    failure before or after running it, and `log_tail` holds its last lines."""

    code = "build"

    def __init__(
        self,
        message: str,
        drv_path: str = "",
        exit_status: int | None = None,
        log_tail: tuple[str, ...] = (),
        log_path: str | None = None,
        span: Span | None = None,
    ):
        text = message
        if log_tail:
            text += "\nlast log lines:\n" + "\n".join(f"> {line}" for line in log_tail)
        super().__init__(text, span)
        self.drv_path = drv_path
        self.exit_status = exit_status
        self.log_tail = log_tail
        self.log_path = log_path


class TemplateError(DeclosError):
    code = "template"


@attrs.frozen
class BuildContext:
    """What a builder gets: the derivation, where to write each output, the
    private build directory and the open log file."""

    store: Store
    drv_path: str
    drv: Derivation
    outputs: Mapping[str, str]
    build_dir: str
    log: BinaryIO
    timeout: float
    input_paths: tuple[str, ...]
    unsafe: bool = False


def output_store_paths(store: Store, drv: Derivation) -> dict[str, StorePath]:
    return {o: store.parse_path(out.path) for o, out in drv.outputs.items()}


def build_one(
    store: Store,
    drv_path: str,
    drv: Derivation | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_run: Callable[[str], None] | None = None,
    unsafe: bool = False,
) -> dict[str, StorePath]:
    """Build `drv_path` unless its outputs are valid; return its outputs.

    Every input derivation's used outputs and every input source must be
    valid.  `on_run(drv_path)` is called only when a builder really runs.
    `unsafe` lets a process builder run without a sandbox where there is
    none (`--unsafe-builders`).
    """
    drv = drv if drv is not None else store.read_derivation(drv_path)
    dests = output_store_paths(store, drv)
    inputs = set(drv.input_srcs)
    for input_drv, outs in drv.input_drvs.items():
        known = store.db.derivation_outputs(input_drv) or output_store_paths(
            store, store.read_derivation(input_drv)
        )
        for o in outs:
            inputs.add(str(known[o]))
    with store.gc_shared():  # no gc between the check and the temporary roots
        for p in sorted(inputs):
            if not store.is_valid(p):
                raise BuildError(f"input '{p}' of '{drv_path}' is not valid", drv_path)
        closure = store.closure(inputs) if inputs else set()
        for p in sorted(closure):  # kept while this process runs, as Nix does
            store.add_temp_root(p)
    expected = None
    if drv.is_fixed_output:
        out = drv.outputs["out"]
        expected = {"out": (out.expected_hash(), out.recursive)}
    log_path = os.path.join(store.logs_dir, os.path.basename(drv_path) + ".log")

    def produce(tmps: dict[str, str]) -> None:
        build_dir = tempfile.mkdtemp(prefix=f"{drv.name}-", dir=store.builds_dir)
        try:
            with open(log_path, "wb") as log:
                ctx = BuildContext(
                    store=store,
                    drv_path=drv_path,
                    drv=drv,
                    outputs=tmps,
                    build_dir=build_dir,
                    log=log,
                    timeout=timeout,
                    input_paths=tuple(sorted(inputs)),
                    unsafe=unsafe,
                )
                builder = BUILTINS.get(drv.builder, process_builder)
                builder(ctx)
        finally:
            remove_tree(build_dir)

    def before() -> None:
        if on_run is not None:
            on_run(drv_path)

    try:
        store.install_outputs(
            dests,
            produce,
            ref_candidates=closure,
            deriver=drv_path,
            expected=expected,
            before_produce=before,
        )
    except BuildError:
        raise
    except DeclosError as e:
        if e.code == "template":
            raise
        raise BuildError(
            f"builder for '{drv_path}' failed: {e.message}",
            drv_path,
            log_tail=_tail(log_path),
            log_path=log_path,
        ) from e
    return dests


def _tail(log_path: str, n: int = LOG_TAIL_LINES) -> tuple[str, ...]:
    try:
        with open(log_path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return ()
    return tuple(lines[-n:])


# --- the process builder ----------------------------------------------------


def build_environment(ctx: BuildContext) -> dict[str, str]:
    """The builder's whole environment: nothing from the host but `PATH`'s tail."""
    bins = [f"{p}/bin" for p in ctx.input_paths if os.path.isdir(f"{p}/bin")]
    env = {
        "PATH": ":".join([*bins, HOST_PATH]),
        "HOME": "/homeless-shelter",
        "NIX_STORE": ctx.store.store_dir,
        "NIX_BUILD_CORES": "1",
        "TERM": "dumb",
    }
    env.update(ctx.drv.env)
    for name in set(ctx.drv.env.get("passAsFile", "").split()) & set(ctx.drv.env):
        # As Nix: the value goes to `$NIX_BUILD_TOP/.attr-<nix32 sha256 of
        # the name>`, and `<name>Path` says where.
        fn = ".attr-" + base32_encode(hashlib.sha256(name.encode()).digest())
        with open(os.path.join(ctx.build_dir, fn), "w", encoding="utf-8") as f:
            f.write(env.pop(name))
        env[name + "Path"] = os.path.join(ctx.build_dir, fn)
    for var in ("NIX_BUILD_TOP", "TMPDIR", "TEMPDIR", "TMP", "TEMP"):
        env[var] = ctx.build_dir
    env.update(ctx.outputs)
    return env


def process_builder(ctx: BuildContext) -> None:
    """Run `builder args...` in the build directory with a clean environment,
    no stdin, output to the log, killed (with its process group) after
    `timeout` seconds, in a sandbox where only the build directory and its
    own outputs are writable (sandbox.py)."""
    drv = ctx.drv
    if drv.builder.startswith("builtin:"):
        raise BuildError(f"unknown builtin builder '{drv.builder}'", ctx.drv_path)
    env = build_environment(ctx)
    _check_builder(ctx, env["PATH"])
    try:
        sb = sandbox.choose(ctx.unsafe)
    except sandbox.NoSandbox as e:
        raise BuildError(f"cannot build '{ctx.drv_path}': {e.message}", ctx.drv_path) from None
    store = ctx.store
    writable = [ctx.build_dir, *sorted({os.path.dirname(t) for t in ctx.outputs.values()})]
    sandbox.prepare(sb, writable)
    argv = sandbox.wrap(
        [drv.builder, *drv.args],
        sb,
        state_dir=store.state_dir,
        read_only=[store.store_dir],
        writable=writable,
        cwd=ctx.build_dir,
    )
    snap = sandbox.snapshot(store.db.all_valid(), ctx.build_dir) if sb.mode == "check" else None
    try:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ctx.build_dir,
            stdin=subprocess.DEVNULL,
            stdout=ctx.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as e:
        raise BuildError(
            f"cannot run builder '{drv.builder}' of '{ctx.drv_path}': {e.strerror}", ctx.drv_path
        ) from None
    log_path = ctx.log.name
    try:
        status = proc.wait(timeout=ctx.timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        _check_damage(ctx, snap)
        raise BuildError(
            f"builder for '{ctx.drv_path}' timed out after {ctx.timeout:g} seconds",
            ctx.drv_path,
            log_tail=_tail(log_path),
            log_path=log_path,
        ) from None
    except BaseException:
        _kill_group(proc)
        raise
    _kill_group(proc)  # daemons it left behind
    _check_damage(ctx, snap)
    if status != 0:
        how = f"signal {-status}" if status < 0 else f"exit code {status}"
        tail = _tail(log_path)
        if status == sandbox.SETUP_FAILED and any(sandbox.SETUP_MESSAGE in t for t in tail):
            how += " (the build sandbox could not be set up)"
        elif any(sandbox.READ_ONLY_HINT in line for line in tail):
            how += (
                " (the store and the rest of the file system are read-only to builders:"
                " only $out and the build directory are writable)"
            )
        raise BuildError(
            f"builder for '{ctx.drv_path}' failed with {how}",
            ctx.drv_path,
            exit_status=status,
            log_tail=_tail(log_path),
            log_path=log_path,
        )
    try:
        sandbox.claim(sb, ctx.outputs.values())
    except sandbox.OutputRefused as e:
        raise BuildError(
            f"builder for '{ctx.drv_path}' produced an output that is refused: {e.message}",
            ctx.drv_path,
            log_tail=_tail(log_path),
            log_path=log_path,
        ) from None


def _check_builder(ctx: BuildContext, path: str) -> None:
    """Refuse a builder that cannot run before setting a sandbox up for it."""
    builder = ctx.drv.builder
    found = builder if "/" in builder else shutil.which(builder, path=path)
    if found is None or not os.path.exists(found):
        why = "No such file or directory"
    elif not os.path.isfile(found) or not os.access(found, os.X_OK):
        why = "Permission denied"
    else:
        return
    raise BuildError(f"cannot run builder '{builder}' of '{ctx.drv_path}': {why}", ctx.drv_path)


def _check_damage(ctx: BuildContext, snap: sandbox.Snapshot | None) -> None:
    """Without a sandbox: fail if the builder changed any other store path."""
    if snap is None:
        return
    changed = sandbox.changed_paths(snap)
    if changed:
        shown = "\n".join(f"  {p}" for p in changed)
        raise BuildError(
            f"builder for '{ctx.drv_path}' modified store paths that are not its outputs "
            f"(no build sandbox on this host: `declos store verify --check-contents` "
            f"tells what changed):\n{shown}",
            ctx.drv_path,
            log_tail=_tail(ctx.log.name),
            log_path=ctx.log.name,
        )


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


# --- in-process builders ---------------------------------------------------


def _write_file(ctx: BuildContext, data: bytes) -> None:
    out = ctx.outputs["out"]
    dest = ctx.drv.env.get("destination", "")
    target = out
    if dest:
        if not dest.startswith("/") or ".." in dest.split("/"):
            raise BuildError(f"destination '{dest}' must be an absolute path", ctx.drv_path)
        target = out + dest
        os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(data)
    os.chmod(target, 0o755 if ctx.drv.env.get("executable") == "1" else 0o644)


def text_builder(ctx: BuildContext) -> None:
    _write_file(ctx, ctx.drv.env.get("text", "").encode())


def template_builder(ctx: BuildContext) -> None:
    """Render a Jinja2 template; every problem is a located `TemplateError`."""
    import jinja2

    env = ctx.drv.env
    path = env["template"]
    shown = env.get("templateName") or path
    if not any(path == p or path.startswith(p + "/") for p in ctx.input_paths):
        # Read in this process: only an input, never a host file (a secret).
        raise BuildError(
            f"the template '{path}' of '{ctx.drv_path}' is not in the store: "
            "give a path value (it is copied into the store), not a file name",
            ctx.drv_path,
        )
    with open(path, encoding="utf-8") as f:
        text = f.read()
    source = Source(shown, text)
    try:
        variables = json.loads(env.get("vars", "{}"))
    except ValueError as e:
        raise BuildError(f"template variables of '{ctx.drv_path}' are not JSON: {e}") from None
    jenv = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    try:
        rendered = jenv.from_string(text).render(**variables)
    except jinja2.TemplateSyntaxError as e:
        raise _template_error(f"template syntax error: {e.message}", source, e.lineno) from None
    except jinja2.UndefinedError as e:
        raise _template_error(f"template error: {e.message}", source, _template_line(e)) from None
    except jinja2.TemplateError as e:
        raise _template_error(f"template error: {e}", source, _template_line(e)) from None
    _write_file(ctx, rendered.encode())


def _template_error(message: str, source: Source, line: int | None) -> TemplateError:
    starts = source.line_starts()
    span = None
    if line is not None and 1 <= line <= len(starts):
        begin = starts[line - 1]
        span = Span(source, begin, begin + len(source.line_text(line)))
    where = f" (in {source.name}" + (f", line {line})" if line else ")")
    return TemplateError(message + where, span)


def _template_line(e: BaseException) -> int | None:
    """The template line an error was raised at: Jinja rewrites tracebacks so
    that frames of the template carry the template's line numbers."""
    line = None
    tb = e.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def linkfarm_builder(ctx: BuildContext) -> None:
    """`linkFarm`: a directory of symlinks `name -> path`."""
    out = ctx.outputs["out"]
    os.mkdir(out)
    for entry in json.loads(ctx.drv.env.get("entries", "[]")):
        name = entry["name"]
        if name.startswith("/") or ".." in name.split("/"):
            raise BuildError(f"link farm entry '{name}' must be a relative path", ctx.drv_path)
        link = os.path.join(out, name)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(entry["path"], link)


def buildenv_builder(ctx: BuildContext) -> None:
    """`buildEnv`/`symlinkJoin`: merge trees with symlinks, making real
    directories only where two inputs share one.  Two files at one place are
    an error unless `ignoreCollisions` is "1" (then the first wins)."""
    out = ctx.outputs["out"]
    ignore = ctx.drv.env.get("ignoreCollisions") == "1"
    os.mkdir(out)
    for p in ctx.drv.env.get("paths", "").split():
        _merge(ctx, p, out, ignore)


def _merge(ctx: BuildContext, src: str, dest: str, ignore: bool) -> None:
    for name in sorted(os.listdir(src)):
        s = os.path.join(src, name)
        d = os.path.join(dest, name)
        if not os.path.lexists(d):
            os.symlink(s, d)
        elif os.path.isdir(s) and os.path.isdir(d):
            if os.path.islink(d):  # first come: turn its link into a real directory
                previous = os.readlink(d)
                os.unlink(d)
                os.mkdir(d)
                _merge(ctx, previous, d, ignore)
            _merge(ctx, s, d, ignore)
        elif not ignore:
            existing = os.readlink(d) if os.path.islink(d) else d
            raise BuildError(
                f"collision between '{existing}' and '{s}' in '{ctx.drv.name}'", ctx.drv_path
            )


def copy_builder(ctx: BuildContext) -> None:
    copy_tree(ctx.drv.env["src"], ctx.outputs["out"], None)


BUILTINS: dict[str, Callable[[BuildContext], None]] = {
    "builtin:text": text_builder,
    "builtin:template": template_builder,
    "builtin:linkfarm": linkfarm_builder,
    "builtin:buildenv": buildenv_builder,
    "builtin:copy": copy_builder,
    "builtin:fetchurl": fetchurl_builder,  # declos/store/pkgs/fetch.py
}

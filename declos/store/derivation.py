"""Derivation records, their ATerm form, and how Nix hashes them.

Owns `Derivation` (what a `.drv` file holds), its serialisation exactly as Nix
writes `.drv` files (and the parser back), the `.drv` path, and output paths
via Nix's `hashDerivationModulo`, so that `derivation { ... }` evaluated by
declos yields the same `drvPath` and `outPath` as Nix.  It must not read or
write the store: a `resolve(drv_path) -> Derivation` callable supplies input
derivations.

Example (what `derivationStrict` does once the evaluator has turned every
attribute into a string and collected the string contexts):

    drv = instantiate(
        {"name": "x", "system": "x86_64-linux", "builder": "/bin/sh"},
        args=["-c", "echo > $out"], store_dir="/nix/store")
    str(drv_path(drv))      # /nix/store/70aia2cap0q375yn9vna7r6bkz4lf044-x.drv
    drv.outputs["out"].path # /nix/store/d3v2zgdgmw8a1ja7d098isx4mdd7jf0g-x
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import attrs

from declos.diagnostics import DeclosError, Span
from declos.store.hashing import Hash, HashError, sha256
from declos.store.paths import (
    DRV_EXTENSION,
    StorePath,
    check_name,
    make_fixed_output_path,
    make_output_path,
    make_text_path,
)


class DerivationError(DeclosError):
    code = "derivation"


def _frozen_map(value: Mapping) -> Mapping:
    return MappingProxyType(dict(sorted(dict(value).items())))


def _frozen_inputs(value: Mapping) -> Mapping:
    return MappingProxyType({k: tuple(sorted(set(v))) for k, v in sorted(dict(value).items())})


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    # `converter=tuple` would do, but mypy cannot solve the generic `tuple`
    # as an attrs converter.
    return tuple(value)


def _sorted_tuple(value: Iterable) -> tuple:
    return tuple(sorted(set(str(v) for v in value)))


@attrs.frozen
class DerivationOutput:
    """One output: its path ("" while unknown) and, for a fixed output, the
    method+algorithm (`r:sha256`, `sha256`) and expected hash in base16."""

    path: str = ""
    hash_algo: str = ""
    hash: str = ""

    @property
    def is_fixed(self) -> bool:
        return bool(self.hash_algo)

    @property
    def recursive(self) -> bool:
        return self.hash_algo.startswith("r:")

    def expected_hash(self) -> Hash:
        algo = self.hash_algo.removeprefix("r:")
        return Hash(algo, bytes.fromhex(self.hash))


@attrs.frozen(hash=False)
class Derivation:
    """What a `.drv` file holds.  Mappings are read-only and key-sorted; paths
    are printed store paths.  `input_drvs` maps a `.drv` path to the output
    names used from it."""

    name: str
    system: str
    builder: str
    args: tuple[str, ...] = attrs.field(converter=_tuple, default=())
    env: Mapping[str, str] = attrs.field(converter=_frozen_map, factory=dict)
    input_drvs: Mapping[str, tuple[str, ...]] = attrs.field(converter=_frozen_inputs, factory=dict)
    input_srcs: tuple[str, ...] = attrs.field(converter=_sorted_tuple, default=())
    outputs: Mapping[str, DerivationOutput] = attrs.field(converter=_frozen_map, factory=dict)

    @property
    def is_fixed_output(self) -> bool:
        return len(self.outputs) == 1 and "out" in self.outputs and self.outputs["out"].is_fixed

    def output_paths(self) -> dict[str, str]:
        return {name: out.path for name, out in self.outputs.items()}

    def references(self) -> tuple[str, ...]:
        """The `.drv` file's references: its input sources and derivations."""
        return tuple(sorted(set(self.input_srcs) | set(self.input_drvs)))


# --- ATerm ------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r'["\\\n\r\t]')


def _q(s: str) -> str:
    if _NEEDS_ESCAPE.search(s):
        # Chained replace: 20x faster than str.translate with a table mapping
        # to two-character strings, on the large texts of generated files.
        s = (
            s.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
    return f'"{s}"'


def _list(items: Iterable[str]) -> str:
    return "[" + ",".join(_q(i) for i in items) + "]"


def unparse(
    drv: Derivation,
    mask_outputs: bool = False,
    input_drvs: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The ATerm text of `drv`, byte for byte as Nix writes it.

    `mask_outputs` blanks output paths and the env variables named after
    outputs; `input_drvs` replaces the input derivation map (with hashes, in
    `hashDerivationModulo`).
    """
    outs = []
    for name, out in drv.outputs.items():
        path = "" if mask_outputs else out.path
        outs.append(f"({_q(name)},{_q(path)},{_q(out.hash_algo)},{_q(out.hash)})")
    inputs = drv.input_drvs if input_drvs is None else input_drvs
    ins = [f"({_q(p)},{_list(sorted(set(o)))})" for p, o in sorted(inputs.items())]
    env = []
    for key, value in drv.env.items():
        if mask_outputs and key in drv.outputs:
            value = ""
        env.append(f"({_q(key)},{_q(value)})")
    return (
        f"Derive([{','.join(outs)}],[{','.join(ins)}],{_list(drv.input_srcs)},"
        f"{_q(drv.system)},{_q(drv.builder)},{_list(drv.args)},[{','.join(env)}])"
    )


class _ATermReader:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def expect(self, s: str) -> None:
        if not self.text.startswith(s, self.pos):
            raise DerivationError(
                f"expected '{s}' at offset {self.pos} in derivation, got "
                f"'{self.text[self.pos : self.pos + 10]}'"
            )
        self.pos += len(s)

    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.pos)

    def string(self) -> str:
        self.expect('"')
        out = []
        text = self.text
        i = self.pos
        while True:
            if i >= len(text):
                raise DerivationError("unterminated string in derivation")
            c = text[i]
            if c == '"':
                break
            if c == "\\":
                i += 1
                c = {"n": "\n", "r": "\r", "t": "\t"}.get(text[i], text[i])
            out.append(c)
            i += 1
        self.pos = i + 1
        return "".join(out)

    def seq(self, item: Callable[[], object]) -> list:
        self.expect("[")
        items: list[object] = []
        while not self.peek("]"):
            if items:
                self.expect(",")
            items.append(item())
        self.expect("]")
        return items

    def tuple_(self, *parts: Callable[[], object]) -> tuple:
        self.expect("(")
        values = []
        for i, part in enumerate(parts):
            if i:
                self.expect(",")
            values.append(part())
        self.expect(")")
        return tuple(values)


def parse_derivation(text: str, name: str) -> Derivation:
    """Read the ATerm text of a `.drv` file; `name` comes from its path
    (`hello` for `...-hello.drv`)."""
    r = _ATermReader(text)
    r.expect("Derive(")
    outputs = r.seq(lambda: r.tuple_(r.string, r.string, r.string, r.string))
    r.expect(",")
    inputs = r.seq(lambda: r.tuple_(r.string, lambda: r.seq(r.string)))
    r.expect(",")
    srcs = r.seq(r.string)
    r.expect(",")
    system = r.string()
    r.expect(",")
    builder = r.string()
    r.expect(",")
    args = r.seq(r.string)
    r.expect(",")
    env = r.seq(lambda: r.tuple_(r.string, r.string))
    r.expect(")")
    if r.pos != len(text):
        raise DerivationError("trailing text after derivation")
    return Derivation(
        name=name,
        system=system,
        builder=builder,
        args=args,
        env=dict(env),
        input_drvs={p: o for p, o in inputs},
        input_srcs=srcs,
        outputs={n: DerivationOutput(p, a, h) for n, p, a, h in outputs},
    )


# --- hashing ------------------------------------------------------------------

_modulo_cache: dict[str, bytes] = {}
_modulo_lock = threading.Lock()
_MODULO_CACHE_MAX = 100_000


def hash_derivation_modulo(
    drv: Derivation,
    resolve: Callable[[str], Derivation],
    mask_outputs: bool,
) -> bytes:
    """Nix's `hashDerivationModulo`: SHA-256 of the ATerm with each input
    derivation replaced by its own modulo hash (base16), so that fixed-output
    inputs hash by their content alone.  A fixed-output derivation hashes as
    `fixed:out:<method+algo>:<hex>:<out path>`."""
    if drv.is_fixed_output:
        out = drv.outputs["out"]
        return sha256(f"fixed:out:{out.hash_algo}:{out.hash}:{out.path}")
    inputs: dict[str, set[str]] = {}
    for path, outs in drv.input_drvs.items():
        h = _input_modulo(path, resolve).hex()
        inputs.setdefault(h, set()).update(outs)
    return sha256(unparse(drv, mask_outputs, inputs))


def _input_modulo(path: str, resolve: Callable[[str], Derivation]) -> bytes:
    # Drv paths are content-addressed, so the cache can never go stale.
    with _modulo_lock:
        cached = _modulo_cache.get(path)
    if cached is None:
        cached = hash_derivation_modulo(resolve(path), resolve, False)
        with _modulo_lock:
            if len(_modulo_cache) >= _MODULO_CACHE_MAX:
                _modulo_cache.clear()
            _modulo_cache[path] = cached
    return cached


def drv_path(drv: Derivation, store_dir: str) -> StorePath:
    """Where the `.drv` file goes: a text path over its ATerm, referring to its
    input sources and input derivations."""
    return make_text_path(drv.name + DRV_EXTENSION, unparse(drv), drv.references(), store_dir)


def _no_inputs(path: str) -> Derivation:
    raise DerivationError(f"cannot read input derivation '{path}'")


def instantiate(
    env: Mapping[str, str],
    *,
    args: Iterable[str] = (),
    input_drvs: Mapping[str, Iterable[str]] | None = None,
    input_srcs: Iterable[str] = (),
    store_dir: str,
    resolve: Callable[[str], Derivation] = _no_inputs,
    span: Span | None = None,
) -> Derivation:
    """`derivationStrict` after coercion: build the record and fill in outputs.

    `env` is every attribute except `args`, already a string (lists
    space-separated, booleans "1"/"", paths and derivations as store paths);
    it must hold `name`, `system` and `builder`, and may hold `outputs`
    ("out dev") and `outputHash`/`outputHashAlgo`/`outputHashMode` for a
    fixed-output derivation.  `input_drvs` and `input_srcs` come from the
    strings' contexts.  `resolve` returns the `Derivation` for an input
    `.drv` path (e.g. `Store.read_derivation`).
    """
    env = dict(env)
    for required in ("name", "builder", "system"):
        if required not in env:
            raise DerivationError(f"required attribute '{required}' missing", span)
    name = env["name"]
    if name.endswith(DRV_EXTENSION):
        raise DerivationError(f"derivation names are not allowed to end in '{DRV_EXTENSION}'", span)
    check_name(name, span)
    output_names = env.get("outputs", "out").split()
    if not output_names:
        raise DerivationError("derivation cannot have an empty set of outputs", span)
    seen = set()
    for o in output_names:
        if o == "drv":
            raise DerivationError("invalid derivation output name 'drv'", span)
        if o in seen:
            raise DerivationError(f"duplicate derivation output '{o}'", span)
        seen.add(o)
    # Read before the output names are written into `env` (an output may be
    # called "system").
    system, builder, args = env["system"], env["builder"], tuple(args)

    def derivation(
        final_env: Mapping[str, str], outputs: Mapping[str, DerivationOutput]
    ) -> Derivation:
        return Derivation(
            name=name,
            system=system,
            builder=builder,
            args=args,
            env=final_env,
            input_drvs=input_drvs or {},
            input_srcs=input_srcs,
            outputs=outputs,
        )

    if "outputHash" in env:
        if output_names != ["out"]:
            raise DerivationError(
                "multiple outputs are not supported in fixed-output derivations", span
            )
        mode = env.get("outputHashMode", "flat")
        if mode not in ("flat", "recursive"):
            raise DerivationError(f"invalid value '{mode}' for 'outputHashMode' attribute", span)
        try:
            h = Hash.parse(env["outputHash"], env.get("outputHashAlgo") or None)
        except HashError as e:
            raise DerivationError(e.message, span) from None
        recursive = mode == "recursive"
        path = str(make_fixed_output_path(name, h, recursive, store_dir))
        env["out"] = path
        out = DerivationOutput(path, ("r:" if recursive else "") + h.algo, h.base16())
        return derivation(env, {"out": out})
    for o in output_names:
        env[o] = ""
    masked = derivation(env, {o: DerivationOutput() for o in output_names})
    drv_hash = hash_derivation_modulo(masked, resolve, True)
    outputs = {}
    for o in output_names:
        path = str(make_output_path(o, drv_hash, name, store_dir))
        env[o] = path
        outputs[o] = DerivationOutput(path)
    return derivation(env, outputs)

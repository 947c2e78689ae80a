"""Store paths: the record, name validation, and Nix's path computations.

Owns `StorePath` and every way Nix derives a path from content: text files
(`builtins.toFile`, `.drv` files), sources (`"${./x}"`, `builtins.path`),
fixed-output paths and the outputs of input-addressed derivations.  Every
function takes the store directory as a parameter, so the same code gives
Nix's own `/nix/store/...` paths in tests and `<state>/store/...` in use.
It must not touch the file system.

Example: `make_text_path("foo", b"bar", (), "/nix/store")` is
`/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo`, exactly what
`nix-instantiate --eval -E 'builtins.toFile "foo" "bar"'` prints.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from declos.diagnostics import DeclosError, Span
from declos.store.hashing import BASE32_CHARS, Hash, base32_encode, compress_hash, sha256

HASH_PART_LEN = 32
MAX_NAME_LEN = 211
DRV_EXTENSION = ".drv"

_NAME_RE = re.compile(r"[a-zA-Z0-9+\-._?=]*")
_HASH_RE = re.compile(f"[{BASE32_CHARS}]{{{HASH_PART_LEN}}}")


class StorePathError(DeclosError):
    """A malformed store path or store path name."""

    code = "bad-store-path"


def check_name(name: str, span: Span | None = None) -> str:
    """Validate a store path name as Nix does and return it.

    Allowed characters are `[a-zA-Z0-9+-._?=]`, at most 211 of them.  Unlike
    Nix 2.8 (which accepts a leading period) a name must not start with `.`:
    older Nix forbade it, and declos uses `.tmp-...` entries in the store for
    builds in progress, which must never look like a valid path.
    """
    if not name:
        raise StorePathError("store path name must not be empty", span)
    if len(name) > MAX_NAME_LEN:
        raise StorePathError(
            f"store path name '{name[:40]}...' is longer than {MAX_NAME_LEN} characters", span
        )
    if name[0] == ".":
        raise StorePathError(f"store path name '{name}' must not start with a period", span)
    if not _NAME_RE.fullmatch(name):
        bad = next(c for c in name if not _NAME_RE.fullmatch(c))
        raise StorePathError(f"store path name '{name}' contains illegal character '{bad}'", span)
    return name


@attrs.frozen(order=True)
class StorePath:
    """`<store_dir>/<hash_part>-<name>`; `str()` gives the full path.

    Ordering compares (store_dir, hash_part, name), which within one store is
    the order Nix sorts store paths in (by base name).
    """

    store_dir: str
    hash_part: str
    name: str

    @classmethod
    def parse(cls, path: str, store_dir: str | None = None) -> StorePath:
        """Parse a top-level store path; with `store_dir`, it must be inside it."""
        directory, _, base = path.rstrip("/").rpartition("/")
        if store_dir is not None and directory != store_dir.rstrip("/"):
            raise StorePathError(f"path '{path}' is not in the Nix store '{store_dir}'")
        if not directory:
            raise StorePathError(f"path '{path}' is not a store path")
        return cls.from_base_name(directory, base)

    @classmethod
    def from_base_name(cls, store_dir: str, base: str) -> StorePath:
        hash_part, dash, name = base.partition("-")
        if not dash or not _HASH_RE.fullmatch(hash_part):
            raise StorePathError(f"'{base}' is not a valid store path base name")
        check_name(name)
        return cls(store_dir, hash_part, name)

    @property
    def base_name(self) -> str:
        return f"{self.hash_part}-{self.name}"

    @property
    def is_derivation(self) -> bool:
        return self.name.endswith(DRV_EXTENSION)

    def __str__(self) -> str:
        return f"{self.store_dir}/{self.hash_part}-{self.name}"


def to_store_path(store_dir: str, path: StorePath | str) -> StorePath:
    """Accept either a `StorePath` or its printed form."""
    if isinstance(path, StorePath):
        return path
    return StorePath.parse(path, store_dir)


def store_path_of(path: str, store_dir: str) -> StorePath:
    """The top-level store path containing `path` (`/s/abc-x/bin/y` → `/s/abc-x`)."""
    prefix = store_dir.rstrip("/") + "/"
    if not path.startswith(prefix):
        raise StorePathError(f"path '{path}' is not in the Nix store")
    base = path[len(prefix) :].split("/", 1)[0]
    return StorePath.from_base_name(store_dir.rstrip("/"), base)


# --- Nix's path computations ----------------------------------------------


def make_store_path(type_: str, digest: bytes, name: str, store_dir: str) -> StorePath:
    """Nix's `makeStorePath`: hash `<type>:sha256:<hex>:<storeDir>:<name>`,
    compress to 20 bytes, print in base32."""
    check_name(name)
    store_dir = store_dir.rstrip("/")
    fingerprint = f"{type_}:sha256:{digest.hex()}:{store_dir}:{name}"
    hash_part = base32_encode(compress_hash(sha256(fingerprint), 20))
    return StorePath(store_dir, hash_part, name)


def make_type(
    type_: str, references: Iterable[StorePath | str] = (), self_ref: bool = False
) -> str:
    """Nix's `makeType`: `<type>:<ref1>:<ref2>...[:self]`, references sorted."""
    parts = [type_]
    parts.extend(sorted(str(r) for r in references))
    if self_ref:
        parts.append("self")
    return ":".join(parts)


def make_text_path(
    name: str, contents: bytes | str, references: Iterable[StorePath | str], store_dir: str
) -> StorePath:
    """The path of a text file (`builtins.toFile`, a `.drv`): content-addressed
    by the SHA-256 of the text, with its references in the type."""
    return make_store_path(make_type("text", references), sha256(contents), name, store_dir)


def make_fixed_output_path(
    name: str,
    hash_: Hash,
    recursive: bool,
    store_dir: str,
    references: Iterable[StorePath | str] = (),
    self_ref: bool = False,
) -> StorePath:
    """Nix's `makeFixedOutputPath`.

    A recursive SHA-256 (a NAR hash) gives a `source` path, which is what
    `"${./x}"` and `builtins.path` produce; any other hash goes through
    `fixed:out:[r:]<algo>:<hex>:`.
    """
    references = tuple(references)
    if hash_.algo == "sha256" and recursive:
        return make_store_path(
            make_type("source", references, self_ref), hash_.digest, name, store_dir
        )
    if references or self_ref:
        raise StorePathError("fixed-output paths other than 'source' cannot have references")
    method = "r:" if recursive else ""
    inner = f"fixed:out:{method}{hash_.algo}:{hash_.base16()}:"
    return make_store_path("output:out", sha256(inner), name, store_dir)


def make_source_path(
    name: str,
    nar_sha256: Hash,
    store_dir: str,
    references: Iterable[StorePath | str] = (),
) -> StorePath:
    """The path of a source copied into the store (`"${./x}"`)."""
    return make_fixed_output_path(name, nar_sha256, True, store_dir, references)


def output_path_name(drv_name: str, output: str) -> str:
    """`hello` for output `out`, `hello-dev` for output `dev`."""
    return drv_name if output == "out" else f"{drv_name}-{output}"


def make_output_path(output: str, drv_hash: bytes, drv_name: str, store_dir: str) -> StorePath:
    """Nix's `makeOutputPath`: an input-addressed derivation's output path from
    its `hashDerivationModulo`."""
    return make_store_path(
        f"output:{output}", drv_hash, output_path_name(drv_name, output), store_dir
    )

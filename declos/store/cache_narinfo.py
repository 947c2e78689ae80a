"""The text files of a Nix binary cache: `nix-cache-info` and `<hash>.narinfo`.

Owns parsing and writing them exactly as Nix 2.8 does (field names and
order, `References:` as base names separated by spaces, `Deriver:` as a base
name, `Compression:` defaulting to bzip2 when absent, unknown fields
ignored), and checking what a narinfo claims against the store it is for
(its store directory, the path it was asked for).  Signatures are
`cache_keys.py`; fetching the files is `cache_transport.py`.

Example:
    info = NarInfo.parse(text, "/var/lib/declos/store", where="https://c/abc.narinfo")
    info.fingerprint()      # what its Sig lines sign
    info.render()           # the same text back
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from declos.diagnostics import DeclosError
from declos.store.cache_keys import fingerprint
from declos.store.hashing import Hash, HashError
from declos.store.paths import StorePath, StorePathError

NIX_CACHE_INFO = "nix-cache-info"


class CacheError(DeclosError):
    code = "cache"


def _fields(text: str, where: str) -> list[tuple[str, str]]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise CacheError(f"{where}:{n}: expected 'Field: value', got '{line[:80]}'")
        out.append((key.strip(), value.strip()))
    return out


@attrs.frozen
class CacheInfo:
    """`nix-cache-info`: which store the cache is for, and its priority
    (lower is tried first; Nix's default is 50)."""

    store_dir: str
    want_mass_query: bool = True
    priority: int = 50

    @classmethod
    def parse(cls, text: str, where: str) -> CacheInfo:
        fields = dict(_fields(text, where))
        if "StoreDir" not in fields:
            raise CacheError(f"{where} has no StoreDir")
        try:
            priority = int(fields.get("Priority", "50"))
        except ValueError:
            raise CacheError(f"{where}: Priority is not a number") from None
        return cls(fields["StoreDir"], fields.get("WantMassQuery", "0") == "1", priority)

    def render(self) -> str:
        return (
            f"StoreDir: {self.store_dir}\nWantMassQuery: {int(self.want_mass_query)}\n"
            f"Priority: {self.priority}\n"
        )


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _sorted_strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(items))


@attrs.frozen
class NarInfo:
    """One path's entry; `references` and `deriver` are full store paths."""

    store_path: str
    url: str
    nar_hash: str
    nar_size: int
    compression: str = "xz"
    file_hash: str | None = None
    file_size: int | None = None
    references: tuple[str, ...] = attrs.field(converter=_sorted_strings, default=())
    deriver: str | None = None
    sigs: tuple[str, ...] = attrs.field(converter=_strings, default=())
    ca: str | None = None

    @classmethod
    def parse(cls, text: str, store_dir: str, where: str) -> NarInfo:
        """Parse a narinfo of a cache for `store_dir` (errors name `where`)."""
        values: dict[str, str] = {}
        sigs: list[str] = []
        for key, value in _fields(text, where):
            if key == "Sig":
                sigs.append(value)
            else:
                values[key] = value
        for key in ("StorePath", "URL", "NarHash", "NarSize"):
            if not values.get(key):
                raise CacheError(f"{where} is corrupt: it has no {key}")

        def base(name: str, what: str) -> str:
            try:
                return str(StorePath.from_base_name(store_dir, name))
            except StorePathError as e:
                raise CacheError(f"{where}: bad {what}: {e.message}") from None

        try:
            path = str(StorePath.parse(values["StorePath"], store_dir))
        except StorePathError as e:
            raise CacheError(f"{where}: {e.message}") from None
        deriver = values.get("Deriver")
        try:
            nar_hash = str(Hash.parse(values["NarHash"]))
            file_hash = str(Hash.parse(values["FileHash"])) if values.get("FileHash") else None
            nar_size = int(values["NarSize"])
            file_size = int(values["FileSize"]) if values.get("FileSize") else None
        except (HashError, ValueError) as e:
            raise CacheError(f"{where} is corrupt: {getattr(e, 'message', e)}") from None
        return cls(
            store_path=path,
            url=values["URL"],
            nar_hash=nar_hash,
            nar_size=nar_size,
            compression=values.get("Compression") or "bzip2",
            file_hash=file_hash,
            file_size=file_size,
            references=[base(r, "reference") for r in values.get("References", "").split()],
            deriver=base(deriver, "deriver") if deriver and deriver != "unknown-deriver" else None,
            sigs=sigs,
            ca=values.get("CA") or None,
        )

    def render(self) -> str:
        def name(p: str) -> str:
            return p.rpartition("/")[2]

        lines = [
            f"StorePath: {self.store_path}",
            f"URL: {self.url}",
            f"Compression: {self.compression}",
        ]
        if self.file_hash is not None:
            lines.append(f"FileHash: {self.file_hash}")
        if self.file_size is not None:
            lines.append(f"FileSize: {self.file_size}")
        lines += [
            f"NarHash: {self.nar_hash}",
            f"NarSize: {self.nar_size}",
            f"References: {' '.join(name(r) for r in self.references)}",
        ]
        if self.deriver:
            lines.append(f"Deriver: {name(self.deriver)}")
        lines += [f"Sig: {s}" for s in self.sigs]
        if self.ca:
            lines.append(f"CA: {self.ca}")
        return "\n".join(lines) + "\n"

    def fingerprint(self) -> str:
        return fingerprint(self.store_path, self.nar_hash, self.nar_size, self.references)


def narinfo_name(path: StorePath) -> str:
    return f"{path.hash_part}.narinfo"

"""The host distribution's package index, as `pkgs.<name>` sees it (issue 14).

`pkgs` (`declos/store/pkgs/default.dcl`) holds an attribute for every
package the host's index knows, so that `with pkgs; [ vim ]` and
`pkgs.htop` work as in NixOS; each is a derivation whose output links the
host's files of that package (its builder is in default.dcl).  This module
answers, offline, from what the host's package manager already has: the
names (`apt-cache pkgnames`, cached on disk by the state of the index,
since it takes ~0.4 s) and, only for a package a configuration really
uses, its candidate version (`apt-cache policy NAME`).  Nothing here
downloads or changes anything.

Only apt's index is read (Debian, Ubuntu); on other hosts `pkgs` has no
host packages and `environment.hostPackages` names them as strings.

The evaluation cache must miss when the index changes (`apt-get update`):
the reads recorded on the evaluator are the index's Release files and its
directory listing, small files that change with every update.

Example:
    idx = HostIndex.probe()
    idx.names()            # ("0ad", "0ad-data", …, "zzuf")
    idx.candidate("htop")  # "3.2.2-2"
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from typing import TYPE_CHECKING

import attrs

from declos import cachefile
from declos.diagnostics import DeclosError
from declos.dirs import cache_dir

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator
    from declos.eval.values import Attrs, LazyAttrs, Value

APT_LISTS = "/var/lib/apt/lists"
DPKG_STATUS = "/var/lib/dpkg/status"
#: store-path names allow these characters only (Nix's rule)
_NAME_CHARS = re.compile(r"[^A-Za-z0-9+._?=-]")
#: candidate versions by cache file, for this process
_VERSIONS: dict[str, dict[str, str | None]] = {}


class HostIndexError(DeclosError):
    code = "host-index"


def store_version(version: str) -> str:
    """A package version as a store-path name can hold it: no epoch, and
    characters a store name refuses (`~`, `:`) replaced by `_`.
    `store_version("2:9.0.1378-2+deb12u2") == "9.0.1378-2+deb12u2"`."""
    return _NAME_CHARS.sub("_", version.split(":", 1)[1] if ":" in version else version)


@attrs.frozen
class HostIndex:
    """The host's package index (`manager` is None where there is none to read)."""

    manager: str | None
    lists: str = APT_LISTS
    # The fingerprint, computed once: an instance serves one evaluation
    # (`_host_packages` probes anew), which asks it once per package used.
    _memo: dict = attrs.field(factory=dict, init=False, eq=False, repr=False)

    @classmethod
    def probe(cls) -> HostIndex:
        if _on_path("apt-cache") and os.path.isdir(APT_LISTS):
            return cls("apt")
        return cls(None)

    def index_files(self) -> list[str]:
        """The files of the index whose change means the answers may change."""
        if self.manager != "apt":
            return []
        try:
            names = sorted(os.listdir(self.lists))
        except OSError:
            return []
        return [
            os.path.join(self.lists, n)
            for n in names
            if n.endswith(("_InRelease", "_Release"))
            and os.path.isfile(os.path.join(self.lists, n))
        ]

    def reads(self) -> list[tuple[str, str]]:
        """What an evaluation using the index has read (for the evaluation cache)."""
        if self.manager != "apt":
            return []
        return [("dir", self.lists), *(("file", p) for p in self.index_files())]

    def has_lists(self) -> bool:
        """Whether the index holds anything beyond what is installed (`apt-get update` ran)."""
        return bool(self.index_files())

    def _fingerprint(self) -> str:
        key = self._memo.get("fingerprint")
        if key is None:
            key = self._memo["fingerprint"] = self._compute_fingerprint()
        return key

    def _compute_fingerprint(self) -> str:
        h = hashlib.sha256(b"declos-host-index 1\0")
        for p in [*self._all_list_files(), DPKG_STATUS]:
            with contextlib.suppress(OSError):
                st = os.stat(p)
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        return h.hexdigest()[:32]

    def _all_list_files(self) -> list[str]:
        try:
            return [os.path.join(self.lists, n) for n in sorted(os.listdir(self.lists))]
        except OSError:
            return []

    def names(self) -> tuple[str, ...]:
        """Every package name the index knows (installable or installed), sorted."""
        if self.manager != "apt":
            return ()
        key = self._fingerprint()
        path = os.path.join(cache_dir(), f"host-index-{key}.txt")
        with contextlib.suppress(OSError, UnicodeDecodeError):
            with open(path, "rb") as f:  # decoded at once: faster than a text file's reads
                text = f.read().decode("utf-8")
            if text.startswith("declos-host-index 1\n"):
                return tuple(text.split("\n")[1:-1])
        proc = _run(["apt-cache", "pkgnames"])
        names = tuple(sorted(set(proc.split())))
        _write_cache(path, "declos-host-index 1\n" + "".join(n + "\n" for n in names))
        _remove_stale(os.path.dirname(path), os.path.basename(path), "host-index-")
        return names

    def candidate(self, name: str) -> str | None:
        """The version the host's manager would install (None: none is
        installable).  `apt-cache policy` takes ~0.35 s, for one name or a
        few hundred, so answers are kept on disk for this state of the index,
        and a name not known yet is asked together with those that were
        asked for the previous state (after `apt-get update` the same
        configuration needs the same packages again: one call, not one per
        package)."""
        if self.manager != "apt":
            return None
        path = os.path.join(cache_dir(), f"host-versions-{self._fingerprint()}.json")
        known = _VERSIONS.get(path)
        if known is None:
            known = _VERSIONS[path] = _read_versions(path)
        if name in known:
            return known[name]
        previous = [n for n in _previous_names(path) if n not in known and n != name]
        known.update(_policy([name, *previous[: _BATCH - 1]]))
        import json

        _write_cache(path, json.dumps(known, sort_keys=True))
        _remove_stale(os.path.dirname(path), os.path.basename(path), "host-versions-")
        return known[name]

    def architecture(self) -> str:
        if self.manager != "apt":
            return ""
        return _run(["dpkg", "--print-architecture"]).strip()


#: names asked of `apt-cache policy` at once (its command line stays short)
_BATCH = 500
_PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+")


def _read_versions(path: str) -> dict[str, str | None]:
    """A versions file's answers; {} for a missing or damaged one."""
    import json

    with contextlib.suppress(OSError, ValueError):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict):
            return {
                k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str | None)
            }
    return {}


def _previous_names(path: str) -> list[str]:
    """The package names of the newest versions file of another state of
    the index (Debian package names only: they become arguments)."""
    directory, own = os.path.split(path)
    try:
        others = [
            os.path.join(directory, n)
            for n in os.listdir(directory)
            if n.startswith("host-versions-") and n.endswith(".json") and n != own
        ]
        newest = max(others, key=os.path.getmtime, default=None)
    except OSError:
        return []
    if newest is None:
        return []
    return sorted(n for n in _read_versions(newest) if _PACKAGE_NAME.fullmatch(n))


def _policy(names: list[str]) -> dict[str, str | None]:
    """Each name's candidate version by `apt-cache policy` (None: none is
    installable, or apt does not know the name: it prints no block for it)."""
    versions: dict[str, str | None] = dict.fromkeys(names)
    current = None
    for line in _run(["apt-cache", "policy", "--", *names]).splitlines():
        if line[:1] not in ("", " ", "\t") and line.endswith(":"):
            current = line[:-1]
        elif current in versions and line.strip().startswith("Candidate:"):
            v = line.split(":", 1)[1].strip()
            versions[current] = None if v in ("", "(none)") else v
    return versions


def _on_path(program: str) -> bool:
    """Whether `program` is an executable file in a directory of $PATH
    (shutil.which's answer, without importing shutil and with it bz2, lzma
    and fnmatch: ~1.5 ms of every evaluation that touches `pkgs`)."""
    for d in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(d or os.curdir, program)
        if os.access(path, os.X_OK) and os.path.isfile(path):
            return True
    return False


def _run(argv: list[str]) -> str:
    import subprocess

    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C.UTF-8"}
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HostIndexError(f"cannot read the host's package index ({argv[0]}: {e})") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        raise HostIndexError(f"cannot read the host's package index: {' '.join(argv)}: {tail[0]}")
    return proc.stdout


def _remove_stale(directory: str, keep: str, prefix: str) -> None:
    """Remove what was cached for earlier states of the index."""
    with contextlib.suppress(OSError):
        for n in os.listdir(directory):
            if n.startswith(prefix) and n != keep and ".tmp-" not in n:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(directory, n))


def _write_cache(path: str, text: str) -> None:
    cachefile.replace(path, text.encode("utf-8"))


# --- the builtins behind `pkgs.<name>` ------------------------------------------------


def install(ev: Evaluator) -> None:
    """Give `ev` `builtins.__declosHostPackages f others`: an attribute set
    with one attribute per package of the host's index, each `f { name;
    version; storeVersion; arch; manager; }`, computed when first used (the
    version is looked up then), updated with the set `others` (as `//`).
    Without an index it is `others`."""
    from declos.eval.values import Attrs, PrimOp

    builtins = ev.globals["builtins"]
    assert type(builtins) is Attrs
    builtins["__declosHostPackages"] = PrimOp(
        "__declosHostPackages",
        2,
        lambda ev_, f, others: _host_packages(ev_, f, others),
        install.__doc__ or "",
    )


def _host_packages(ev: Evaluator, f: Value, others: Value) -> Attrs | LazyAttrs:
    from declos.eval.builtins.registry import force_attrs
    from declos.eval.values import LazyAttrs, Pending

    idx = HostIndex.probe()
    ev.reads.extend(idx.reads())
    rest = force_attrs(others, "in the second argument passed to builtins.__declosHostPackages")
    if idx.manager is None:
        return rest
    arch: list[str] = []

    def names() -> tuple[str, ...]:
        try:
            return idx.names()
        except HostIndexError:
            # An index apt cannot read leaves `pkgs` with its builders only, rather
            # than failing every configuration: `pkgs.htop` is then a missing attribute.
            return ()

    def value(name: str) -> Value:
        return ev.call(f, _info(ev, idx, name, arch))

    # ~64 000 names, of which a configuration uses a few dozen or none: the
    # set is lazy (values.LazyAttrs), the names read when a name that is not
    # a builder is first looked up, a package's thunk `value(name)` made when
    # it is first selected.
    made = LazyAttrs(rest)
    made.pos = Pending(names, value, rest.pos)
    return made


def _info(ev: Evaluator, idx: HostIndex, name: str, arch: list[str]) -> Attrs:
    from declos.eval.errors import EvalError
    from declos.eval.values import Attrs

    try:
        version = idx.candidate(name)
        if not arch:
            arch.append(idx.architecture())
    except HostIndexError as e:
        raise EvalError(e.message) from None
    if version is None:
        hint = "" if idx.has_lists() else " (the index is empty: run `apt-get update`)"
        raise EvalError(
            f"the host package '{name}' has no installable version in the host's "
            f"package index (apt-cache policy {name}){hint}"
        )
    return Attrs(
        {
            "name": name,
            "version": version,
            "storeVersion": store_version(version),
            "arch": arch[0],
            "manager": idx.manager,
        }
    )

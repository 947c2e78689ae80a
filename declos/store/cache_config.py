"""The state directory's configuration file, `<state>/declos.conf` (nix.conf's syntax).

Owns reading the settings of binary caches:

    # where to substitute from, tried by the caches' Priority (lower first)
    substituters = https://cache.example.org file:///srv/declos-cache
    # whose signatures are trusted (NAME:BASE64, as `declos cache keygen` prints)
    trusted-public-keys = cache.example.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=
    # refuse paths that no trusted key signed (the default)
    require-sigs = true
    # the key `declos cache push` signs with when given no --secret-key-file
    secret-key-files = /var/lib/declos/keys/cache.example.org-1.sec

A line is `name = value`, values separated by blanks, `#` starts a comment;
`extra-NAME` appends to NAME as in nix.conf.  An unknown setting or a bad
value is an error at its file:line:column, with the nearest known names.
It must not fetch anything (`cache.py` does).
"""

from __future__ import annotations

import os

import attrs

from declos.diagnostics import Source, Span, suggest
from declos.store.cache_keys import CacheKeyError, PublicKey
from declos.store.cache_narinfo import CacheError

CONFIG_NAME = "declos.conf"
URL_SCHEMES = ("file://", "http://", "https://")
_LISTS = ("substituters", "trusted-public-keys", "secret-key-files")
_SETTINGS = (*_LISTS, "require-sigs")


@attrs.frozen
class CacheSettings:
    substituters: tuple[str, ...] = ()
    trusted_public_keys: tuple[PublicKey, ...] = ()
    require_sigs: bool = True
    secret_key_files: tuple[str, ...] = ()

    def trusted(self) -> dict[str, PublicKey]:
        return {k.name: k for k in self.trusted_public_keys}


def config_path(state_dir: str) -> str:
    return os.path.join(state_dir, CONFIG_NAME)


def check_substituter(url: str, span: Span | None = None) -> str:
    if not url.startswith(URL_SCHEMES) or len(url) <= len(url.partition("://")[0]) + 3:
        raise CacheError(f"substituter '{url}' is not a file://, http:// or https:// URL", span)
    return url.rstrip("/") if url.startswith("file://") else url


def load_settings(state_dir: str) -> CacheSettings:
    """The settings of `<state_dir>/declos.conf`, or the defaults without one."""
    path = config_path(state_dir)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return CacheSettings()
    except (OSError, UnicodeDecodeError) as e:
        raise CacheError(f"cannot read '{path}': {getattr(e, 'strerror', None) or e}") from None
    return parse_settings(text, path)


def parse_settings(text: str, path: str) -> CacheSettings:
    source = Source(path, text)
    values: dict[str, list[tuple[str, Span]]] = {name: [] for name in _LISTS}
    require_sigs = True
    offset = 0
    for line in text.splitlines(keepends=True):
        start = offset
        offset += len(line)
        body = line.split("#", 1)[0]
        if not body.strip():
            continue
        name, eq, rest = body.partition("=")
        key = name.strip()
        key_at = start + len(name) - len(name.lstrip())
        key_span = Span(source, key_at, key_at + max(len(key), 1))
        if not eq:
            raise CacheError("expected 'name = value'", key_span)
        base = key.removeprefix("extra-")
        if base not in _SETTINGS:
            err = CacheError(f"unknown setting '{key}' in {os.path.basename(path)}", key_span)
            err.suggestions = [f"'{s}'" for s in suggest(key, _SETTINGS)]
            raise err
        words = []
        pos = start + len(name) + 1
        for word in rest.split():
            at = line.index(word, pos - start) + start
            words.append((word, Span(source, at, at + len(word))))
            pos = at + len(word)
        if base == "require-sigs":
            if len(words) != 1 or words[0][0] not in ("true", "false"):
                raise CacheError(
                    "require-sigs must be 'true' or 'false'", words[0][1] if words else key_span
                )
            require_sigs = words[0][0] == "true"
        elif key.startswith("extra-"):
            values[base].extend(words)
        else:
            values[base] = words
    subs = tuple(check_substituter(u, span) for u, span in values["substituters"])
    keys = []
    for text_, span in values["trusted-public-keys"]:
        try:
            keys.append(PublicKey.parse(text_, "trusted-public-keys"))
        except CacheKeyError as e:
            raise CacheError(e.message, span) from None
    files = []
    for file, span in values["secret-key-files"]:
        if not os.path.isabs(file):
            raise CacheError(f"secret-key-files: '{file}' is not an absolute path", span)
        files.append(file)
    return CacheSettings(subs, tuple(keys), require_sigs, tuple(files))

"""`builtin:fetchurl`: the in-process builder of fixed-output downloads.

`pkgs.fetchurl { url; hash; }` and `builtins.fetchurl` (both in
`fetchurl.dcl` beside this file) are fixed-output derivations with this
builder, as Nix's `<nix/fetchurl.nix>` is.  The download happens when the
derivation is built, never at evaluation; the store checks the hash of
what was written before the output becomes valid (`Store._finish`), so a
wrong hash fails the build with "specified: … got: …" and leaves nothing.

Environment read (Nix's names): `url` (or `urls`, space-separated, tried
in turn), `executable` ("1": the file is made executable; the hash is
then of its NAR), `unpack` (refused: nothing is unpacked).  Only http,
https and ftp URLs are fetched.  The usual proxy variables
(`http_proxy`, …) of declos' environment apply.

Example (a derivation the glue builds):
    { builder = "builtin:fetchurl"; url = "http://127.0.0.1:8080/a.txt";
      outputHash = "sha256-…"; outputHashMode = "flat"; name = "a.txt"; }
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, BinaryIO

from declos.diagnostics import DeclosError

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator
    from declos.eval.values import Value
    from declos.store.builders import BuildContext

SCHEMES = ("http", "https", "ftp")
TIMEOUT = 60.0  # seconds without progress before a download is given up


class FetchError(DeclosError):
    code = "fetch"


def fetchurl_builder(ctx: BuildContext) -> None:
    env = ctx.drv.env
    if env.get("unpack") == "1":
        raise FetchError("builtin:fetchurl: unpack is not supported by declos")
    urls = env.get("urls", "").split() or [env.get("url", "")]
    out = ctx.outputs["out"]
    errors = []
    for url in urls:
        try:
            _download(url, out, ctx.log)
        except FetchError as e:
            errors.append(e.message)
            _log(ctx.log, e.message)
            if os.path.lexists(out):
                os.unlink(out)
            continue
        if env.get("executable") == "1":
            os.chmod(out, 0o555)
        return
    raise FetchError("; ".join(errors) or "builtin:fetchurl: no URL given")


def _log(log: BinaryIO, text: str) -> None:
    log.write((text + "\n").encode(errors="replace"))
    log.flush()


def _download(url: str, out: str, log: BinaryIO) -> None:
    # Imported here: every evaluation installs builtins.fetchurl, few builds
    # download, and urllib.request (http.client, email, ssl) costs ~15 ms.
    import shutil
    import urllib.error
    import urllib.parse
    import urllib.request

    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise FetchError(
            f"cannot download '{url}': only {', '.join(SCHEMES)} URLs are fetched"
            + (" (mirror:// URLs of nixpkgs are not supported)" if scheme == "mirror" else "")
        )
    _log(log, f"downloading '{url}'")
    request = urllib.request.Request(url, headers={"User-Agent": "declos"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response, open(out, "xb") as f:
            shutil.copyfileobj(response, f, 1 << 16)
    except urllib.error.HTTPError as e:
        raise FetchError(f"cannot download '{url}': HTTP error {e.code} ({e.reason})") from None
    except urllib.error.URLError as e:
        raise FetchError(f"cannot download '{url}': {e.reason}") from None
    except (OSError, ValueError) as e:
        raise FetchError(f"cannot download '{url}': {e}") from None


# --- builtins.fetchurl ---------------------------------------------------------------

FETCHURL_DCL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fetchurl.dcl")


def install(ev: Evaluator) -> None:
    """Give `ev` `builtins.fetchurl`: a fixed-output derivation's path (built
    when something uses it), never a download at evaluation, so a hash is
    required; without one the error is located at the call."""
    from declos.eval.values import Attrs, PrimOp, Thunk, settle

    def load(_env: object) -> Value:
        from declos.diagnostics import Source

        with open(FETCHURL_DCL, encoding="utf-8") as f:
            text = f.read()
        return ev.eval_source(Source(FETCHURL_DCL, text))

    lib = Thunk(load, None)

    def fetchurl(ev_: Evaluator, args: Value) -> Value:
        from declos.eval.builtins.registry import force
        from declos.eval.errors import EvalError

        value = settle(force(args))
        has_hash = False  # a string (or a path): the URL alone
        if type(value) is Attrs:
            if "url" not in value:
                raise EvalError("builtins.fetchurl: attribute 'url' missing")
            has_hash = "sha256" in value or "hash" in value
        if not has_hash:
            raise EvalError(
                "builtins.fetchurl needs the expected `sha256` (or `hash`): declos downloads "
                "when building, never while evaluating, and checks what it got "
                '(builtins.fetchurl { url = "…"; sha256 = "…"; })'
            )
        return ev_.call(force(force(lib)["builtin"]), value)

    builtins = ev.globals["builtins"]
    assert type(builtins) is Attrs
    builtins["fetchurl"] = PrimOp("fetchurl", 1, fetchurl, install.__doc__ or "")

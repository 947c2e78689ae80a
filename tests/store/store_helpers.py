"""Making real derivations in a test store (imported by the store tests)."""

from __future__ import annotations

import os

from declos.store.derivation import instantiate

#: The repository, for running `python -m declos` in a subprocess.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

#: The start of a DCL file using the helpers of `<declos/pkgs>`.
PKGS = "let pkgs = import <declos/pkgs>; in with pkgs;\n"


def mkdrv(store, name, script=None, *, builder="/bin/sh", deps=(), srcs=(), **env):
    """Instantiate and write a derivation; return its `.drv` path as a string.

    `script` runs under `/bin/sh -c`; `deps` are `.drv` paths used as inputs
    (their `out`); extra keyword arguments become environment variables.
    """
    args = ["-c", script] if script is not None else []
    attrs = {"name": name, "system": "x86_64-linux", "builder": builder, **env}
    drv = instantiate(
        attrs,
        args=args,
        input_drvs={d: ["out"] for d in deps},
        input_srcs=[str(s) for s in srcs],
        store_dir=store.store_dir,
        resolve=store.read_derivation,
    )
    return str(store.add_derivation(drv))


def out_of(store, drv_path, output="out"):
    return store.read_derivation(drv_path).outputs[output].path

"""What `declos eval` does not import: modules that cost start-up time on
every run but serve rarer paths (downloads, binary caches, graph
algorithms).  Issue 12 measured them at ~15-75 ms each; this keeps them
out of an evaluation's process.  shutil (~1.5 ms with bz2, lzma and
fnmatch) is imported by argparse's help formatter and by shutil.which
unless declos avoids them (cli's _Formatter, host_index._on_path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

NOT_IMPORTED = (
    "urllib.request",
    "http.client",
    "ssl",
    "networkx",
    "declos.store.cache",
)
#: Not imported once the parse and code caches are warm (writing them imports tempfile).
NOT_IMPORTED_WARM = (*NOT_IMPORTED, "shutil")

PROBE = """
import json, sys
from declos.cli import main
code = main(["eval", "--strict", sys.argv[1]])
heavy = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_an_evaluation_leaves_rare_paths_unimported(tmp_path):
    config = tmp_path / "main.dcl"
    config.write_text(
        "let pkgs = import <declos/pkgs>; in "
        '(pkgs.writeText "x" "y").name + builtins.toString (builtins.length [ 1 2 ])\n'
    )
    env = {**os.environ, "DECLOS_CACHE_DIR": str(tmp_path / "cache")}
    for modules in (NOT_IMPORTED, NOT_IMPORTED_WARM):  # a cold run, then a warm one
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, str(config), json.dumps(modules)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        out, _, result = proc.stdout.rpartition("\n{")
        assert out.strip() == '"x2"'
        assert json.loads("{" + result) == {"code": 0, "heavy": []}

"""`declos deploy --build-on target` of a node the evaluation cache knows.

A node whose inputs are unchanged since a deploy that built it here is not
evaluated again: the cache gives its toplevel (valid in the local store)
but no `.drv`.  With `--build-on target` such a node's built closure is
copied (nothing is left for the host to build); it used to fail on the
missing `.drv` with a Python traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fleet_helpers import hosts_of, run_declos, sshd

BIN = os.path.dirname(sys.executable)
FLEET = """{
  defaults = { system.stateVersion = "24.11"; deployment.targetHost = "127.0.0.1"; };
  nodes.here = { deployment.targetPort = PORT; };
}
"""


def test_a_cached_node_built_on_target_copies_its_built_closure(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    with sshd(tmp_path, state, f"{BIN}:/usr/bin:/bin") as (port, ssh):
        fleet = tmp_path / "fleet.dcl"
        fleet.write_text(FLEET.replace("PORT", str(port)))
        args = ("deploy", str(fleet), "--state-dir", state, "--dry-run", "--json", *ssh)
        built = hosts_of(run_declos(*args))["here"]  # built here: the cache records it
        assert built["status"] == "would-deploy" and not built["evaluationCached"]
        proc = run_declos(*args, "--build-on", "target")
        here = hosts_of(proc)["here"]
        assert here["evaluationCached"] and here["toplevel"] == built["toplevel"]
        assert here["status"] == "would-deploy"
        assert here["copied"] == built["copied"]  # the toplevel's closure, not a .drv's

"""`<toplevel>/checks/<name>`: statuses are read from the checks' own outputs only.

`declos switch` (as root) reads the first line of each check's output to
report the checks that were "not run"; a check is a derivation of the
configuration, so its output may be a link to any file of the machine.
"""

from __future__ import annotations

import os

from declos.toplevel import read_checks


def _toplevel(tmp_path):
    store = tmp_path / "state" / "store"
    top = store / ("0" * 32 + "-declos-system")
    (top / "checks").mkdir(parents=True)
    return store, top


def test_a_status_in_the_store_is_read(tmp_path):
    store, top = _toplevel(tmp_path)
    out = store / ("1" * 32 + "-check-sudoers")
    out.write_text("not run: visudo is not installed\n")
    os.symlink(out, top / "checks" / "sudoers")
    (store / ("2" * 32 + "-check-units")).write_text("passed\n")
    os.symlink(store / ("2" * 32 + "-check-units"), top / "checks" / "units")
    checks = {c.name: c for c in read_checks(str(top))}
    assert checks["sudoers"].not_run == "visudo is not installed"
    assert checks["units"].not_run is None


def test_a_link_out_of_the_store_is_not_read(tmp_path):
    store, top = _toplevel(tmp_path)
    secret = tmp_path / "elsewhere" / "shadow"
    secret.parent.mkdir()
    secret.write_text("not run: root:$y$j9T$secret:19000:0:99999:7:::\n")
    os.symlink(secret, top / "checks" / "evil")
    # and through a link inside the store that leads out of it
    hop = store / ("3" * 32 + "-check-hop")
    os.symlink(secret, hop)
    os.symlink(hop, top / "checks" / "hop")
    checks = read_checks(str(top))
    assert [(c.name, c.status) for c in checks] == [("evil", "passed"), ("hop", "passed")]
    assert all(c.not_run is None for c in checks)

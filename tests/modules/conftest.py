"""Building configurations with the module library, in process, in a
temporary state directory: `build(text)` writes `config.dcl`, runs
`declos build config.dcl` (no -A: the configuration's toplevel) and returns
a `System` to inspect, or `build(text, fails=True)` returns stderr."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import attrs
import pytest

from declos.cli import main


@attrs.frozen
class System:
    toplevel: Path
    stderr: str

    @property
    def manifest(self) -> dict:
        return json.loads((self.toplevel / "manifest.json").read_text())

    def etc(self, name: str) -> Path:
        return self.toplevel / "etc" / name

    def unit(self, name: str) -> str:
        return (self.toplevel / "units" / name).read_text()


@pytest.fixture
def build(tmp_path, capsys, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.delenv("DECLOS_PATH", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")

    def run(text: str | None = None, *, path: str | None = None, fails: bool = False):
        if path is None:
            path = str(tmp_path / "config.dcl")
            Path(path).write_text(textwrap.dedent(text))
        capsys.readouterr()
        code = main(["build", path, "--state-dir", str(state), "--no-out-link"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        if fails:
            assert code == 1, out
            return err
        assert code == 0, err
        (toplevel,) = out.split()
        assert os.path.isdir(toplevel)
        return System(Path(toplevel), err)

    def store_names() -> list[str]:
        """The names in the state directory's store (none before a build)."""
        store = state / "store"
        return [p.name for p in store.iterdir()] if store.exists() else []

    run.dir = tmp_path
    run.store_names = store_names
    return run

"""A switch after a small change reuses what it can and equals a cold evaluation.

For each kind of input a configuration's result depends on (its own file,
a module it imports, a file of the module library, an environment variable
it reads, a file it reads with readFile), the test builds the toplevel,
builds again unchanged (the evaluation cache answers), changes that one
input, builds again (the change must be seen: not the cached result, the new
text in the generation's /etc) and compares with a cold evaluation and
build (no evaluation cache; code and parse caches are keyed by content) of
the same inputs: the toplevel store paths must be equal.
"""

from __future__ import annotations

import os
import shutil

import pytest

from declos.store.store import Store
from declos.toplevel import ToplevelBuild, build_toplevel

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = "DECLOS_TEST_INCREMENTAL"

CONFIG = """{ lib, ... }:
{
  imports = [ ./extra.dcl ];
  networking.hostName = "incremental";
  environment.etc."from-config".text = "config v1";
  environment.etc."from-env".text = builtins.getEnv "ENV";
  environment.etc."from-file".text = builtins.readFile ./data.txt;
  system.stateVersion = "24.11";
}
""".replace("ENV", ENV)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    library = tmp_path / "library"
    shutil.copytree(os.path.join(REPO, "modules"), library)
    (library / "incremental.dcl").write_text(
        '{ ... }: { environment.etc."from-library".text = "library v1"; }\n'
    )
    module_list = library / "module-list.dcl"
    text = module_list.read_text().rstrip()
    assert text.endswith("]")
    module_list.write_text(text[:-1] + "  ./incremental.dcl\n]\n")
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "config.dcl").write_text(CONFIG)
    (conf / "extra.dcl").write_text('{ environment.etc."from-import".text = "import v1"; }\n')
    (conf / "data.txt").write_text("file v1")
    monkeypatch.setenv(ENV, "env v1")
    monkeypatch.setenv("DECLOS_CACHE_DIR", str(tmp_path / "cache"))
    search = (f"declos/modules={library}",)
    store = Store(tmp_path / "state")

    def build(use_cache: bool = True):
        how = ToplevelBuild(search_path=search, use_cache=use_cache)
        return build_toplevel(str(conf / "config.dcl"), store, how)

    yield build, conf, library
    store.close()


def _replace(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def change_config(conf, library, monkeypatch):
    _replace(conf / "config.dcl", "config v1", "config v2")
    return "from-config", "config v2"


def change_import(conf, library, monkeypatch):
    _replace(conf / "extra.dcl", "import v1", "import v2")
    return "from-import", "import v2"


def change_library(conf, library, monkeypatch):
    _replace(library / "incremental.dcl", "library v1", "library v2")
    return "from-library", "library v2"


def change_env(conf, library, monkeypatch):
    monkeypatch.setenv(ENV, "env v2")
    return "from-env", "env v2"


def change_read_file(conf, library, monkeypatch):
    (conf / "data.txt").write_text("file v2")
    return "from-file", "file v2"


@pytest.mark.parametrize(
    "change", [change_config, change_import, change_library, change_env, change_read_file]
)
def test_a_changed_input_is_seen_and_equals_a_cold_evaluation(setup, change, monkeypatch):
    build, conf, library = setup
    first = build()
    assert not first.cached
    again = build()
    assert again.cached and again.toplevel == first.toplevel
    etc_name, expected = change(conf, library, monkeypatch)
    changed = build()
    assert not changed.cached
    assert changed.toplevel != first.toplevel
    with open(os.path.join(changed.toplevel, "etc", etc_name)) as f:
        assert f.read() == expected
    cold = build(use_cache=False)
    assert cold.toplevel == changed.toplevel
    # and, unchanged since, the cache answers with that same result
    assert build().toplevel == changed.toplevel

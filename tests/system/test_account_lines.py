"""An entry declos does not manage is kept byte for byte, whatever its
GECOS holds: lines are split on "\\n" only, as glibc reads them, so a full
name a user set with chfn (`\\r`, NEL, U+2028, …) never becomes a line of
its own, such as a uid-0 account, at the next switch."""

from __future__ import annotations

import os

import pytest

ALICE = {"alice": {"isNormalUser": True}}
SEPARATORS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("sep", SEPARATORS, ids=[f"U+{ord(c):04X}" for c in SEPARATORS])
def test_a_gecos_with_a_line_separator_stays_one_entry(system, top, root, sep):
    bob = f"bob:x:1001:1001:Bob{sep}root2::0:0::/root:/bin/sh:/home/bob:/bin/bash\n"
    with open(os.path.join(root, "etc/passwd"), "w", encoding="utf-8") as f:
        f.write(bob)
    system.switch_to(top(users=ALICE))
    with open(os.path.join(root, "etc/passwd"), "rb") as f:
        lines = f.read().decode().split("\n")[:-1]
    assert bob[:-1] in lines
    assert sorted(line.split(":")[0] for line in lines) == ["alice", "bob"]

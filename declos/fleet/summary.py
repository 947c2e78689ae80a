"""The end of a deploy: one line per host on stdout, then what went wrong.

    web1  deployed   generation 4   3 paths, 0.1 MiB copied   6.2 s
    web2  unchanged  generation 3
    db    failed     activate: health checks failed: deployment-1 (exit status 1)
    3 hosts in 9.1 s: 1 deployed, 1 unchanged, 1 failed

Each failure follows on stderr with its whole message and the last lines
of the host's output.  `--json` prints `{ ok, seconds, hosts: […] }`
instead (`HostRun.to_json`).
"""

from __future__ import annotations

import json

from declos.fleet.deploy import Outcome
from declos.fleet.display import headline
from declos.fleet.hosts import HostRun

LOG_TAIL = 15
ORDER = ("deployed", "unchanged", "would-deploy", "failed", "cancelled")


def _detail(h: HostRun) -> str:
    if h.status == "failed":
        return f"{h.phase}: {headline(h.error or '')}"
    if h.status == "cancelled":
        return "not deployed: another node failed to evaluate or build"
    parts = []
    if h.generation is not None:
        parts.append(f"generation {h.generation}")
    if h.status in ("deployed", "would-deploy"):
        verb = "to copy" if h.status == "would-deploy" else "copied"
        parts.append(f"{h.copied_paths} paths, {h.copied_bytes / 1048576:.1f} MiB {verb}")
    took = sum(v for k, v in h.seconds.items() if k in ("copy", "activate", "confirm"))
    if took:
        parts.append(f"{took:.1f} s")
    return "   ".join(parts)


def text(outcome: Outcome) -> str:
    hosts = outcome.hosts
    width = max([4, *(len(h.name) for h in hosts)]) + 2
    lines = [f"{h.name.ljust(width)}{h.status.ljust(14)}{_detail(h)}".rstrip() for h in hosts]
    counts = [(s, sum(1 for h in hosts if h.status == s)) for s in ORDER]
    said = ", ".join(f"{n} {s}" for s, n in counts if n)
    n = len(hosts)
    lines.append(f"{n} host{'s' if n != 1 else ''} in {outcome.seconds:.1f} s: {said or 'nothing'}")
    return "\n".join(lines) + "\n"


def failures(outcome: Outcome) -> str:
    """Every failed host's whole error, and the end of its output."""
    out = []
    for h in outcome.hosts:
        if h.status != "failed":
            continue
        error = (h.error or "").rstrip("\n")
        if not error.startswith("error"):
            error = "error: " + error
        out.append(f"{h.name} ({h.phase}):\n{_indent(error)}")
        if h.log and h.phase in ("activate", "confirm", "build"):
            tail = h.log[-LOG_TAIL:]
            out.append(f"  last lines from {h.name}:\n" + "".join(f"  | {t}\n" for t in tail))
    return "\n".join(out) + ("\n" if out else "")


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


def to_json(outcome: Outcome) -> str:
    data = {
        "ok": outcome.ok,
        "seconds": round(outcome.seconds, 3),
        "hosts": [h.to_json() for h in outcome.hosts],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"

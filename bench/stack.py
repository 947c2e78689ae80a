"""Whole-system evaluation: declos against Nix 2.8 on the same files.

For each configuration (the examples and a generated large one: N users,
N/2 nginx virtual hosts, 3N/10 services) both evaluators compute
`config.system.build.toplevel.drvPath` of

    (import <declos/lib>).evalModules {
      modules = [ CONFIG ] ++ import <declos/modules/module-list.dcl>; … }

declos as `declos eval FILE`, run as users run it: the `declos` script of
a non-editable install of the checkout made for the run (bench/install.py:
a fresh venv, `pip install --no-deps` of the checkout with its .pyc files,
the dependencies seen from the current environment; `--checkout` runs
`python -m declos` of the current environment instead).  Nix as `nix-instantiate --eval FILE`, each a
fresh process (start-up included), alternating, several rounds.  Nix
imports a directory through its `default.nix`, so it gets `<declos/lib>` and
`<declos/pkgs>` through two one-line shims; everything else (lib, module
system, module library, pkgs) is the project's own files, read by both.
The drvPaths must be identical.  Reported per configuration: median CPU
time (user + system) of each and their ratio, the ratio of median wall
times, peak memory (max RSS) of each, and the geometric means.

    python bench/stack.py [--rounds N] [-n USERS] [--only NAME] [--no-nix] [--checkout]

CI does not run it (a benchmark, not a timed test).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from install import declos_command, modules_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The checkout's module library (bench/hotspots.py and dclprof.py evaluate in process).
MODULES = os.path.join(ROOT, "modules")

TOPLEVEL = """\
((import <declos/lib>).evalModules {{
  modules = [ {config} ] ++ import <declos/modules/module-list.dcl>;
  specialArgs.modulesPath = {modules};
}}).config.system.build.toplevel.drvPath
"""

EXAMPLES = {
    "minimal": ("examples/minimal/config.dcl", []),
    "webserver": ("examples/webserver/config.dcl", []),
    "workstation": ("examples/workstation/config.dcl", []),
    "team": (
        "examples/team/config.dcl",
        ["teamlib=" + os.path.join(ROOT, "examples/team/library")],
    ),
}


def generate_large(directory: str, users: int) -> str:
    """A configuration with `users` accounts, users/2 virtual hosts and
    3*users/10 services (a third of them on a timer); returns its path."""
    vhosts, services = max(1, users // 2), max(1, users * 3 // 10)
    out = [
        "{ config, lib, pkgs, ... }:",
        "{",
        '  networking.hostName = "large";',
        '  time.timeZone = "UTC";',
        "  networking.firewall = { enable = true; allowedTCPPorts = [ 80 443 ]; };",
        "  services.openssh = { enable = true; settings.PasswordAuthentication = false; };",
        "  users.groups.staff = { gid = 3000; };",
        '  system.stateVersion = "24.11";',
        '  environment.variables.EDITOR = "vim";',
    ]
    for i in range(users):
        groups = '[ "staff" ]' if i % 3 else '[ "wheel" "staff" ]'
        out += [
            f"  users.users.user{i} = {{",
            "    isNormalUser = true;",
            f'    description = "User number {i}";',
            f"    extraGroups = {groups};",
            f'    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3Nza{i:08d} user{i}@example" ];',
            "  };",
        ]
    out.append("  services.nginx = { enable = true; recommendedGzipSettings = true;")
    for i in range(vhosts):
        out += [
            f'    virtualHosts."site{i}.example.org" = {{',
            f'      serverAliases = [ "www.site{i}.example.org" ];',
            f'      root = "/srv/site{i}";',
            '      locations."/".tryFiles = "$uri $uri/ =404";',
            f'      locations."/api/".proxyPass = "http://127.0.0.1:{9000 + i}";',
            "    };",
        ]
    out.append("  };")
    for i in range(services):
        out += [
            f"  systemd.services.job{i} = {{",
            f'    description = "Job {i}";',
            '    wantedBy = [ "multi-user.target" ];',
            f'    environment.JOB = "{i}";',
            f'    serviceConfig = {{ Type = "simple"; User = "user{i % users}"; Restart = "always"; }};',
            f'    script = "echo job {i}; exec sleep infinity";',
        ]
        if i % 3 == 0:
            out.append('    startAt = "hourly";')
        out.append("  };")
    out.append("}")
    path = os.path.join(directory, "large", "config.dcl")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


def write_shims(directory: str, package: str) -> list[str]:
    """`-I` entries for Nix: `<declos/lib>` and `<declos/pkgs>` of the declos
    `package` directory as directories whose default.nix imports its default.dcl."""
    options = os.path.join(package, "options")
    pkgs = os.path.join(package, "store", "pkgs")
    return [
        nix_entry(directory, f"declos/lib={os.path.join(options, 'lib')}"),
        nix_entry(directory, f"declos/pkgs={pkgs}"),
        f"declos={options}",
        f"declos/modules={modules_dir(package)}",
    ]


def nix_entry(directory: str, entry: str) -> str:
    """A `name=dir` search path entry as Nix can import it: a directory whose
    only entry point is default.dcl gets a default.nix shim."""
    name, _, target = entry.partition("=")
    if os.path.exists(os.path.join(target, "default.nix")):
        return entry
    shim = os.path.join(directory, "shim", name)
    os.makedirs(shim, exist_ok=True)
    with open(os.path.join(shim, "default.nix"), "w") as f:
        f.write(f"import {os.path.join(target, 'default.dcl')}\n")
    return f"{name}={shim}"


def run(cmd: list[str], env: dict | None = None) -> tuple[float, int, str, float]:
    """CPU seconds (user + system), peak RSS in KiB, stdout and wall seconds
    of one fresh process.  CPU time is what the tables compare: on a
    machine shared with other work it varies far less than wall time."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{err.read()}")
        cpu = usage.ru_utime + usage.ru_stime
        return cpu, usage.ru_maxrss, out.read().strip(), elapsed


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("-n", "--users", type=int, default=100, help="users of the large config")
    ap.add_argument("--only", help="one configuration by name")
    ap.add_argument("--no-nix", action="store_true", help="declos only")
    ap.add_argument("--checkout", action="store_true", help="python -m declos, not installed")
    args = ap.parse_args()
    nix = None if args.no_nix else shutil.which("nix-instantiate")
    work = tempfile.mkdtemp(prefix="declos-stack-")
    try:
        declos, package = declos_command(work, args.checkout)
        configs = {n: (os.path.join(ROOT, p), i) for n, (p, i) in EXAMPLES.items()}
        configs[f"large-{args.users}"] = (generate_large(work, args.users), [])
        shims = write_shims(work, package)
        env = dict(os.environ, DECLOS_CACHE_DIR=os.path.join(work, "cache"))
        env.pop("DECLOS_PATH", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as users have it
        rows = []
        for name, (config, includes) in configs.items():
            if args.only and name != args.only:
                continue
            expr = os.path.join(work, f"{name}.nix")
            with open(expr, "w") as f:
                f.write(TOPLEVEL.format(config=config, modules=modules_dir(package)))
            flags = [x for i in includes for x in ("-I", i)]
            ours_cmd = [*declos, "eval", expr, *flags]
            nix_flags = [x for i in includes for x in ("-I", nix_entry(work, i))]
            nix_cmd = [nix, "--eval", *nix_flags] + [x for s in shims for x in ("-I", s)] + [expr]
            run(ours_cmd, env)  # warm the parse cache, as any second run would be
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(run(ours_cmd, env))
                if nix:
                    theirs.append(run(nix_cmd, env))
            rows.append((name, ours, theirs))
        print_table(rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_table(rows, first: str = "configuration") -> None:
    """A Markdown table of (name, declos runs, Nix runs) as `run` returns
    them: median CPU seconds and their ratio, the ratio of median wall
    times, peak memory; the outputs of both must be equal."""
    head = (
        f"| {first:<13} | declos s |  nix s | ratio | wall ratio "
        "| declos MB | nix MB |  mem | output |"
    )
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")
    ratios, walls, mems = [], [], []
    for name, ours, theirs in rows:
        o = statistics.median(r[0] for r in ours)
        ow = statistics.median(r[3] for r in ours)
        om = max(r[1] for r in ours) / 1024
        if not theirs:
            print(f"| {name:<13} | {o:>8.3f} | {'-':>6} | {'-':>5} | {'-':>10} | {om:>9.0f} |")
            continue
        t = statistics.median(r[0] for r in theirs)
        tw = statistics.median(r[3] for r in theirs)
        tm = max(r[1] for r in theirs) / 1024
        same = all(r[2] == ours[0][2] for r in ours + theirs)
        ratios.append(o / t)
        walls.append(ow / tw)
        mems.append(om / tm)
        print(
            f"| {name:<13} | {o:>8.3f} | {t:>6.3f} | {o / t:>5.1f} | {ow / tw:>10.1f} "
            f"| {om:>9.0f} | {tm:>6.0f} | {om / tm:>4.1f} | {'same' if same else 'DIFFER':<6} |"
        )
        if not same:
            print(f"  declos: {ours[0][2]}\n  nix:    {theirs[0][2]}", file=sys.stderr)
    if ratios:
        print(
            f"| {'geomean':<13} | {'':>8} | {'':>6} | {geomean(ratios):>5.1f} "
            f"| {geomean(walls):>10.1f} | {'':>9} | {'':>6} | {geomean(mems):>4.1f} | {'':<6} |"
        )


if __name__ == "__main__":
    main()

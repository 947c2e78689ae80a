"""The fleet file: `{ defaults = MODULE; nodes.<name> = MODULE; }`, as colmena's hive.

Each node is a system configuration of `defaults`, its own module and the
module library, evaluated as

    (import <declos/lib>).evalModules {
      modules = [ { _file = FLEET; imports = [ defaults nodes.NAME ]; }
                  { deployment.targetHost = mkDefault NAME; networking.hostName = mkDefault NAME; } ]
                ++ import <declos/modules/module-list.dcl>;
      specialArgs = { name = NAME; nodes = <every node, evaluated the same way>; modulesPath; };
    }

so definitions in the fleet file are reported at its lines, a module can
read another node's configuration (`nodes.db.config.networking.hostName`),
and `deployment.*` (modules/system/deployment.dcl) says how to reach it.
The shape of the file (an attribute set with `nodes` and perhaps
`defaults`, node names usable as file and host names) is checked here,
with the position of what is wrong.

`--on` selections: `NAME` (a glob: `web-*`) or `@TAG`, comma-separated.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from declos.diagnostics import DeclosError, Source, Span, suggest
from declos.eval.values import Attrs, PathValue, force, settle, show_type

if TYPE_CHECKING:
    from declos.eval.evaluator import Evaluator

NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
TOP_LEVEL = ("defaults", "nodes")
SHAPE = "{ defaults = MODULE; nodes.<name> = MODULE; }"

NODE_EXPR = """\
{ fleet, fleetFile, name, moduleList, modulesPath }:
let
  lib = import <declos/lib>;
  isHostName = n: builtins.match "[[:alnum:]]([[:alnum:]_-]{0,61}[[:alnum:]])?" n != null;
  evalNode = n: lib.evalModules {
    modules = [
      { _file = fleetFile; imports = [ (fleet.defaults or { }) fleet.nodes.${n} ]; }
      {
        _file = "«declos deploy: the node ${n}»";
        deployment.targetHost = lib.mkDefault n;
        networking.hostName = lib.mkIf (isHostName n) (lib.mkDefault n);
      }
    ] ++ (if moduleList == null then [ ] else import moduleList);
    specialArgs = {
      inherit modulesPath;
      name = n;
      nodes = builtins.mapAttrs (n2: _: evalNode n2) fleet.nodes;
    };
  };
in
evalNode name
"""


class FleetError(DeclosError):
    code = "fleet"


@attrs.frozen
class HealthCheck:
    cmd: str
    timeout: int = 30


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _checks(items: Iterable[HealthCheck | dict[str, Any]]) -> tuple[HealthCheck, ...]:
    return tuple(HealthCheck(**c) if isinstance(c, dict) else c for c in items)


@attrs.frozen
class Deployment:
    """A node's `deployment.*`, as evaluated."""

    host: str
    port: int | None = None
    user: str = "root"
    tags: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    health_checks: tuple[HealthCheck, ...] = attrs.field(default=(), converter=_checks)

    @classmethod
    def from_json(cls, data: dict) -> Deployment:
        return cls(
            data["targetHost"],
            data.get("targetPort"),
            data.get("targetUser", "root"),
            data.get("tags", ()),
            data.get("healthChecks", ()),
        )

    def to_json(self) -> dict:
        return {
            "targetHost": self.host,
            "targetPort": self.port,
            "targetUser": self.user,
            "tags": list(self.tags),
            "healthChecks": [attrs.asdict(c) for c in self.health_checks],
        }

    def describe(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"{self.user}@{self.host}{port}"


@attrs.frozen
class Fleet:
    path: str
    value: Attrs = attrs.field(eq=False, repr=False)
    nodes: tuple[str, ...]


def _file_span(path: str) -> Span | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return Span(Source(path, f.read()), 0, 0)
    except OSError:
        return None


def load(ev: Evaluator, path: str) -> Fleet:
    """Import FLEET and check its shape (not the modules: evaluating a node does)."""
    from declos.eval.instantiate import auto_call

    path = os.path.abspath(path)
    if not os.path.isfile(path):
        what = "is a directory" if os.path.isdir(path) else "does not exist"
        raise FleetError(f"the fleet file '{path}' {what}")
    ev.allow_path(os.path.dirname(path))
    value = settle(auto_call(ev, ev.import_file(path), Attrs()))
    if type(value) is not Attrs:
        raise FleetError(
            f"a fleet file must evaluate to {SHAPE}, not {show_type(value)}", _file_span(path)
        )
    pos = value.pos or {}
    for name in sorted(value):
        if name not in TOP_LEVEL:
            err = FleetError(
                f"a fleet file has no attribute '{name}': it is {SHAPE}", pos.get(name)
            )
            err.suggestions = suggest(name, TOP_LEVEL)
            raise err
    if "nodes" not in value:
        raise FleetError(f"the fleet file has no 'nodes': it must be {SHAPE}", _file_span(path))
    nodes = settle(force(value["nodes"]))
    if type(nodes) is not Attrs:
        raise FleetError(
            f"'nodes' must be an attribute set of modules, one per machine, not {show_type(nodes)}",
            pos.get("nodes"),
        )
    if not nodes:
        raise FleetError("the fleet has no nodes ('nodes' is empty)", pos.get("nodes"))
    npos = nodes.pos or {}
    for name in nodes:
        if not NAME_RE.fullmatch(name) or len(name) > 200:
            raise FleetError(
                f"'{name}' cannot name a node: letters, digits and '_.-', not starting with "
                "'.' or '-'",
                npos.get(name),
            )
    return Fleet(path, value, tuple(sorted(nodes)))


def evaluate_node(ev: Evaluator, fleet: Fleet, name: str) -> Attrs:
    """The node's `evalModules` result (`{ config; options; … }`), lazily."""
    from declos.options.configuration import (
        LIBRARY_HOST_PATHS,
        _modules_entry,
        find_module_list,
    )

    for host_path in LIBRARY_HOST_PATHS:
        ev.allow_path(host_path)
    default_modules = _modules_entry(ev)
    module_list = find_module_list(ev)
    args = Attrs(
        {
            "fleet": fleet.value,
            "fleetFile": fleet.path,
            "name": name,
            "moduleList": PathValue(module_list) if module_list else None,
            "modulesPath": PathValue(
                os.path.dirname(module_list) if module_list else default_modules
            ),
        }
    )
    fn = ev.eval_source(Source(None, NODE_EXPR, os.getcwd(), "«declos deploy»"))
    return force(ev.call(force(fn), args))


def deployment_of(ev: Evaluator, result: Attrs) -> Deployment:
    from declos.eval.builtins.json import to_json_text
    from declos.eval.instantiate import select_attr_path

    value = select_attr_path(ev, result, "config.deployment", Attrs())
    return Deployment.from_json(json.loads(to_json_text(ev, value)))


# --- --on -------------------------------------------------------------------------------


@attrs.frozen
class Selection:
    """What `--on` asked for: node name globs and tags (nothing: every node)."""

    names: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def parse(cls, items: Iterable[str] | None) -> Selection:
        names, tags = [], []
        for item in items or ():
            for part in item.split(","):
                part = part.strip()
                if not part:
                    continue
                if part.startswith("@"):
                    if not NAME_RE.fullmatch(part[1:]):
                        raise FleetError(f"--on: '{part}' is not a tag")
                    tags.append(part[1:])
                else:
                    names.append(part)
        return cls(tuple(names), tuple(tags))

    @property
    def everything(self) -> bool:
        return not self.names and not self.tags

    def by_name(self, name: str) -> bool:
        return self.everything or any(fnmatch.fnmatchcase(name, p) for p in self.names)

    def candidates(self, fleet: Fleet) -> list[str]:
        """Nodes that may be selected: those a name matches, and (for tags) any
        other, whose tags only its evaluation tells.  A name that matches no
        node is an error."""
        for pattern in self.names:
            if not any(fnmatch.fnmatchcase(n, pattern) for n in fleet.nodes):
                err = FleetError(f"--on: no node is called '{pattern}' in {fleet.path}")
                err.suggestions = suggest(pattern, fleet.nodes)
                raise err
        if self.tags:
            return list(fleet.nodes)
        return [n for n in fleet.nodes if self.by_name(n)]

    def selects(self, name: str, tags: Iterable[str]) -> bool:
        return (
            self.by_name(name)
            if not self.tags
            else ((bool(self.names) and self.by_name(name)) or any(t in self.tags for t in tags))
        )

    def check_tags(self, known: Iterable[str]) -> None:
        """A tag no evaluated node has is an error (a typo deploys nothing)."""
        known = set(known)
        for tag in self.tags:
            if tag not in known:
                err = FleetError(f"--on: no node has the tag '@{tag}'")
                err.suggestions = ["@" + s for s in suggest(tag, known)]
                raise err

"""Data flows one way: content -> plan -> session -> export -> cli, and no module imports its way
back round to itself. Read from the source (every import, including those inside functions, which
is how the CLI keeps start-up fast), so a shortcut taken in a hurry fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "deflect_cli"

# Lower layers first. A module's layer is its folder (content/, plan/, session/, export/); the modules
# at the package's top are the base every layer may use, except the command line that wires them.
LAYERS = ("base", "content", "plan", "session", "export", "cli")
TOP = {"cli": "cli", "__main__": "cli"}
# The base: small helpers with no notion of content, plans or screens. A new module goes in a layer's
# folder; adding one here is a decision to make in review, not a default.
BASE = {"__init__", "controlchars", "durable", "errors", "grammar", "mdtext", "safeio", "yamlio"}


# Cycles known and left on purpose, each with its reason (none left).
KNOWN_CYCLES: set = set()


# Upward imports known and left, with their reason (none left: plan/diff.py and the Markdown export
# share the base module mdtext.py).
KNOWN_UPWARD: set = set()


def _modules() -> dict:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")
        found[name.removesuffix(".__init__") if name.endswith(".__init__") else name] = path
    return found


def _imports(path: Path, modules: dict) -> set:
    """Modules of the package that `path` imports (`from deflect_cli import x` names a module x
    when one exists; names of a package's own attributes count as the package)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "deflect_cli":
                names = [alias.name for alias in node.names]
            elif node.module.startswith("deflect_cli."):
                base = node.module[len("deflect_cli."):]
                names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                         for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name[len("deflect_cli."):] for a in node.names if a.name.startswith("deflect_cli.")]
        out.update(n for n in names if n in modules)
    return out


def _layer(module: str) -> str:
    top = module.split(".", 1)[0]
    if top in LAYERS:
        return top
    return TOP.get(module, "base")


def _graph() -> dict:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_every_module_sits_in_a_layer():
    loose = sorted(m for m in _graph() if "." not in m and m not in LAYERS and m not in TOP and m not in BASE)
    assert loose == [], f"move these modules into a layer's folder (or name them in BASE): {loose}"


def test_no_lower_layer_imports_a_higher_one():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = [f"{m} ({_layer(m)}) imports {d} ({_layer(d)})"
              for m, deps in _graph().items() for d in deps
              if _layer(m) and _layer(d) and rank[_layer(d)] > rank[_layer(m)]
              and f"{m} imports {d}" not in KNOWN_UPWARD]
    assert upward == []


def test_no_import_cycles():
    graph = _graph()
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for dep in sorted(graph.get(node, ())):
            if dep.split(".")[0] == node or node.split(".")[0] == dep:
                continue  # a package and its own modules
            if state.get(dep) == "open":
                cycles.append(" -> ".join(trail[trail.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, trail + [dep])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    known = {frozenset(c.split(" -> ")) for c in KNOWN_CYCLES}  # wherever the walk enters the cycle
    assert [c for c in cycles if frozenset(c.split(" -> ")) not in known] == []


def test_no_export_format_imports_another():
    formats = {"markdown", "html", "docx", "xlsx", "csv"}
    graph = _graph()
    crossing = [f"{m} imports {d}" for m, deps in graph.items() for d in deps
                if m.startswith("export.") and d.startswith("export.")
                and m.split(".")[1] in formats and d.split(".")[1] in formats]
    assert crossing == []

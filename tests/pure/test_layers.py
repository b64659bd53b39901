"""The package import graph, computed from the source: a clean stack, no cycle, and Telegram
only in `bot/`.

    tremplin → bot / console / migrations → coaching → journey → kernel / accounts
             → scoring / messages / storage

A package may import only packages of lower layers (never a sibling, never upwards).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS: tuple[tuple[str, ...], ...] = (
    ("tremplin",),
    ("bot", "console", "migrations"),
    ("coaching",),
    ("journey",),
    ("kernel", "accounts"),
    ("scoring", "messages", "storage"),
)
LAYER_OF = {package: depth for depth, layer in enumerate(LAYERS) for package in layer}
ONLY_IN_BOT = "telegram"


def _imported(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute import in a module (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def package_graph(root: Path = ROOT) -> dict[str, dict[str, set[str]]]:
    """For each package of ours, the packages it imports and, for each, the files that do."""
    graph: dict[str, dict[str, set[str]]] = {}
    for init in sorted(root.glob("*/__init__.py")):
        package = init.parent.name
        if package == "tests":
            continue
        edges = graph.setdefault(package, {})
        for path in sorted(init.parent.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name in _imported(tree):
                if name != package:
                    edges.setdefault(name, set()).add(str(path.relative_to(root)))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)) is not None:
            return found
    return None


def _ours(graph: dict[str, dict[str, set[str]]]) -> dict[str, set[str]]:
    return {p: {q for q in edges if q in graph} for p, edges in graph.items()}


def test_every_package_has_a_place_in_the_stack() -> None:
    unplaced = sorted(set(package_graph()) - set(LAYER_OF))
    assert not unplaced, f"add {unplaced} to LAYERS (and to docs/CONVENTIONS.md)"


def test_the_package_graph_has_no_cycle() -> None:
    cycle = _cycle(_ours(package_graph()))
    assert cycle is None, " → ".join(cycle or [])


def _wrong_edges(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    """Imports that go up or sideways in the stack, with the files that make them."""
    return [
        f"{package} → {imported} ({', '.join(sorted(files))})"
        for package, edges in graph.items()
        for imported, files in edges.items()
        if imported in graph
        and package in LAYER_OF
        and imported in LAYER_OF
        and LAYER_OF[imported] <= LAYER_OF[package]
    ]


def _telegram_outside_bot(graph: dict[str, dict[str, set[str]]]) -> list[str]:
    return sorted(
        file
        for package, edges in graph.items()
        if package != "bot"
        for file in edges.get(ONLY_IN_BOT, ())
    )


def test_packages_only_import_lower_layers() -> None:
    wrong = _wrong_edges(package_graph())
    assert not wrong, "imports that go up or sideways:\n" + "\n".join(wrong)


def test_only_bot_imports_telegram() -> None:
    outside = _telegram_outside_bot(package_graph())
    assert not outside, f"telegram imported outside bot/: {outside}"


def test_the_checks_catch_a_cycle_an_upward_edge_and_telegram(tmp_path: Path) -> None:
    # The checks themselves: a tiny tree with each fault must be caught.
    for package, source in {
        "kernel": "import journey\n",
        "journey": "from kernel import turn\n\ndef f():\n    import telegram\n",
    }.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(source, encoding="utf-8")
    graph = package_graph(tmp_path)
    assert _cycle(_ours(graph)) in (
        ["journey", "kernel", "journey"],
        ["kernel", "journey", "kernel"],
    )
    assert _wrong_edges(graph) == ["kernel → journey (kernel/__init__.py)"]
    assert _telegram_outside_bot(graph) == ["journey/__init__.py"]

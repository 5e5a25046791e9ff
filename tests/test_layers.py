"""The house in layers, and its rooms in size: an AST walk over src/couverture.

Layers, lowest first (a module may import from its own layer's room or from any lower
layer, never from a higher one; rooms side by side in one layer import nothing from
each other):

 1. base: the package root, ``_version``, ``_lazy``, ``models``, ``errors``, ``demo``
 2. ``store``: persistence; it saves cluster state but imports no stage
 3. ``ingest``
 4. ``extract``
 5. ``analyze``
 6. ``cluster``
 7. ``coverage``
 8. ``pipeline``
 9. ``engine``
10. ``distributed``: the engine with its stages' work on Dask workers
11. ``eval``: metrics, datasets, labelled sets made ready to score
12. ``learn``: training, threshold search, held-out evaluation
13. ``feeds`` | ``web`` (side by side)
14. the command line: ``cli``, ``cli_outlets``, ``feeds.cli``, ``web.cli``

Every import counts, at module level or inside a function, under TYPE_CHECKING too:
a lazy import is still a dependency.

Size: no module over MAX_MODULE_LINES lines and no function (its ``def`` line to its
last, nested functions included) over MAX_FUNCTION_LINES, outside tests and bench.
Today's offenders are listed by name with their size: the list can only shrink, since
the test fails when one grows or when one no longer needs its place.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "couverture"

# (layer, rooms): a room is a module prefix; the longest matching prefix places a module.
LAYERS: list[tuple[str, ...]] = [
    ("couverture", "couverture._version", "couverture._lazy", "couverture.models", "couverture.errors",
     "couverture.demo"),
    ("couverture.store",),
    ("couverture.ingest",),
    ("couverture.extract",),
    ("couverture.analyze",),
    ("couverture.cluster",),
    ("couverture.coverage",),
    ("couverture.pipeline",),
    ("couverture.engine",),
    ("couverture.distributed",),
    ("couverture.eval",),
    ("couverture.learn",),
    ("couverture.feeds", "couverture.web"),
    ("couverture.cli", "couverture.cli_outlets", "couverture.feeds.cli", "couverture.web.cli"),
]
# Rooms of one layer that form one room: the base modules, and the command line.
ONE_ROOM = {0, len(LAYERS) - 1}

# Imports allowed against the layers, each with why; none is left since the store
# took a protocol for the clustering state and the outlet rules went below the stages.
EXCEPTIONS: set[tuple[str, str]] = set()

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
# Today's offenders, with their size: each may shrink, none may grow, and each goes
# once it fits (path relative to src/couverture; function as module::Qualified.name).
LONG_MODULES = {
}
LONG_FUNCTIONS = {
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The couverture modules this one imports (``from X import y`` counts as X.y when
    that is a module, else as X)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                targets.add(submodule if submodule in MODULES else source)
    return {t for t in targets if t == "couverture" or t.startswith("couverture.")}


def _place(module: str) -> tuple[int, str]:
    """(layer, room) of a module: the longest room prefix it falls under."""
    best = None
    for layer, rooms in enumerate(LAYERS):
        for room in rooms:
            if (module == room or module.startswith(room + ".")) and (best is None or len(room) > len(best[1])):
                best = (layer, room)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def test_no_module_imports_from_a_higher_layer_or_a_room_beside_its_own():
    wrong, used = [], set()
    for name, path in MODULES.items():
        layer, room = _place(name)
        for target in sorted(_imports(name, path)):
            if target not in MODULES and target.rpartition(".")[0] in MODULES:
                target = target.rpartition(".")[0]  # an attribute of a module
            their_layer, their_room = _place(target)
            beside = their_layer == layer and their_room != room and layer not in ONE_ROOM
            if their_layer > layer or beside:
                if (name, target) in EXCEPTIONS:
                    used.add((name, target))
                else:
                    wrong.append(f"{name} (layer {layer + 1}) imports {target} (layer {their_layer + 1})")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)
    assert EXCEPTIONS <= used, f"no longer needed, remove from EXCEPTIONS: {sorted(EXCEPTIONS - used)}"


STAGES = ("couverture.ingest", "couverture.extract", "couverture.analyze", "couverture.cluster", "couverture.coverage")


def test_no_stage_imports_the_store():
    """The stages of the pipeline work on what they are handed: the engine, the apps and
    the command line hand them a store (coverage calls its methods), they never import it."""
    wrong = [f"{name} imports {target}" for name, path in _modules().items() if name.startswith(STAGES)
             for target in _imports(name, path) if target == "couverture.store" or target.startswith("couverture.store.")]
    assert not wrong, "\n".join(wrong)


def test_every_layer_room_exists():
    for rooms in LAYERS:
        for room in rooms:
            assert room in MODULES, f"{room} is listed in LAYERS but is no module"


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node.end_lineno - node.lineno + 1
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def _sizes() -> tuple[dict[str, int], dict[str, int]]:
    modules, functions = {}, {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        modules[relative] = len(text.splitlines())
        for name, lines in _functions(ast.parse(text)):
            functions[f"{relative}::{name}"] = max(lines, functions.get(f"{relative}::{name}", 0))
    return modules, functions


def _check(sizes: dict[str, int], limit: int, offenders: dict[str, int], what: str) -> None:
    over = {name: size for name, size in sizes.items() if size > limit}
    new = {name: size for name, size in over.items() if name not in offenders}
    grown = {name: (size, offenders[name]) for name, size in over.items() if name in offenders and size > offenders[name]}
    fixed = sorted(set(offenders) - set(over))
    assert not new, f"{what} over {limit} lines: {new}"
    assert not grown, f"listed {what} grew (now, listed): {grown}"
    assert not fixed, f"{what} back under {limit} lines (or gone): remove them from the list: {fixed}"


def test_no_module_over_600_lines_but_the_listed_ones_and_those_do_not_grow():
    _check(_sizes()[0], MAX_MODULE_LINES, LONG_MODULES, "modules")


def test_no_function_over_80_lines_but_the_listed_ones_and_those_do_not_grow():
    _check(_sizes()[1], MAX_FUNCTION_LINES, LONG_FUNCTIONS, "functions")

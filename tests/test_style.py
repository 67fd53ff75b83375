"""The style gate: ruff (format, lint, import order) and mypy pass, and the package's imports follow its layers.

ruff and mypy run as `python -m ruff` / `python -m mypy` with this interpreter, from the repository root (their
settings are in pyproject.toml), so the gate is the same in a checkout and in .ci/run's virtual environment.
The layers are those of docs/architecture.md; the import checks read the source (ast), nothing is imported.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "layout"
CHECKED = ("layout", "tests", "bench", "geodata")  # our Python; mypy checks pyproject.toml's [tool.mypy] files
RUFF = (".",)  # ruff checks the whole repository (Python files and the Python blocks of the docs; .gitignore honoured)

# docs/architecture.md: a module imports only modules of its own layer or of the layers before it. A layer is
# named by the first part of a module's path below layout/; "" is the package itself (layout/__init__.py, the
# public API, which imports its names lazily).
LAYERS = (
    ("errors", "inputs", "paths", "language", "words"),
    ("spec",),
    ("regions",),
    ("model",),
    ("analysis",),
    ("results",),
    ("views",),
    ("pipeline",),
    ("batch",),
    ("workbench",),
    ("api", ""),
    ("cli", "__main__"),
)
RANK = {part: k for k, parts in enumerate(LAYERS) for part in parts}
ORDER = "  →  ".join(", ".join(p or "layout/__init__" for p in parts) for parts in LAYERS)


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_format_leaves_every_file_as_it_is():
    run = _tool("ruff", "format", "--check", *RUFF)
    assert run.returncode == 0, (
        f"ruff format would change files: run `ruff format {' '.join(RUFF)}` and commit the result\n"
        + run.stdout
        + run.stderr
    )


def test_ruff_check_finds_nothing():
    run = _tool("ruff", "check", "--no-cache", *RUFF)
    assert run.returncode == 0, (
        f"ruff check finds problems: fix them (`ruff check --fix {' '.join(RUFF)}` fixes some; a `# noqa: CODE` "
        "with its reason only where the rule is wrong for that line)\n" + run.stdout + run.stderr
    )


# mypy started when the session collected test_mypy_finds_nothing (tests/conftest.py): cold, as in .ci/run, it takes
# about 20 s of one core, which it spends beside the other tests (mostly one core each) instead of after them
_started: list[subprocess.Popen[str]] = []


def start_mypy() -> None:
    """Start mypy in the background now; test_mypy_finds_nothing reads its verdict."""
    _started.append(
        subprocess.Popen(
            [sys.executable, "-m", "mypy"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    )


def stop_mypy() -> None:
    """Stop a started mypy that is still running (its test did not read it)."""
    for run in _started:
        if run.poll() is None:
            run.kill()
            run.communicate()


def test_mypy_finds_nothing():
    if not _started:  # conftest.py did not start it (the test named otherwise than it expects)
        start_mypy()
    out, err = _started[0].communicate(timeout=600)
    assert _started[0].returncode == 0, (
        "mypy finds type errors: fix the annotations or narrow the values (a `# type: ignore[code]` with its reason "
        "only for a gap in a third-party library's types)\n" + out + err
    )


def _module(path: Path) -> str:
    """The dotted name of a module of the package (a package's __init__ names the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    """The layer of a module of the package: the first part of its name below `layout` ("" for the package)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, name) of every absolute import in a file; name is None for `import module`. Imports inside
    functions and under TYPE_CHECKING count: they are dependencies too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.lineno, node.module, alias.name) for alias in node.names)


def _own(module: str) -> bool:
    return module == "layout" or module.startswith("layout.")


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_every_module_of_the_package_has_a_layer():
    unplaced = sorted({_layer(_module(p)) for p in _sources("layout")} - set(RANK))
    assert not unplaced, (
        f"layout/{', layout/'.join(unplaced)} belong to no layer: add each to LAYERS in tests/test_style.py and to "
        "docs/architecture.md (tree and data flow) where it belongs in the pipeline"
    )


def test_imports_follow_the_layers():
    wrong = []
    for path in _sources("layout"):
        me = _module(path)
        for line, target, name in _imports(path):
            if not _own(target) or (target == "layout" and name is not None and name.startswith("__")):
                continue  # another library, or the package's metadata (`from layout import __version__`)
            if RANK.get(_layer(target), -1) > RANK[_layer(me)]:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {me} imports {target}, a later layer")
    assert not wrong, (
        f"imports against the data flow ({ORDER}; docs/architecture.md): move the code to the layer that owns it "
        "or pass what it needs in as an argument\n" + "\n".join(wrong)
    )


def test_no_module_imports_another_modules_private_names():
    wrong = []
    for path in _sources(*CHECKED):
        me = _module(path)
        for line, target, name in _imports(path):
            own = _own(target) or target == "tests" or target.startswith("tests.")
            private = [part for part in (*target.split("."), name or "") if part.startswith("_")]
            if own and target != me and any(not (p.startswith("__") and p.endswith("__")) for p in private):
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {me} imports {target}{f'.{name}' if name else ''}")
    assert not wrong, (
        "private names imported from another module: make each public in the module that owns it (drop the "
        "underscore, give it a docstring) or keep its use inside that module\n" + "\n".join(wrong)
    )


def _graph() -> dict[str, set[str]]:
    """Each module of the package and the modules of the package it imports (anywhere in the file)."""
    modules = {_module(p): p for p in _sources("layout")}
    graph: dict[str, set[str]] = {}
    for me, path in modules.items():
        targets = set()
        for _line, target, name in _imports(path):
            if _own(target):
                sub = f"{target}.{name}" if name else target
                targets.add(sub if sub in modules else target)
        graph[me] = {t for t in targets if t in modules and t not in (me, "layout")}
    return graph


def test_no_import_cycle_even_through_imports_inside_functions():
    graph, state, cycles = _graph(), {}, []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, (
        "import cycles (a local import inside a function only hides one): move what both need into a module both "
        "can import\n" + "\n".join(cycles)
    )

"""The shape of the pure pipeline package, read from its source: no Django, no test helpers,
no import cycle and no import hidden in a function, one place that starts a process, and
modules small enough to hold one idea each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "media_pipeline" / "pipeline"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(absolute module name, imported inside a function) for every import in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _name(path) if path.name == "__init__.py" else _name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        nested = any(
            isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(child is node for child in ast.walk(parent))
            for parent in ast.walk(tree)
        )
        found += [(name, nested) for name in names]
    return found


def _graph() -> dict[str, set[str]]:
    own = {_name(path) for path in MODULES}
    return {
        _name(path): {name for name, _ in _imports(path) if name in own and name != _name(path)}
        for path in MODULES
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_pipeline_imports_neither_django_nor_test_helpers(path):
    imported = {name.split(".")[0] for name, _ in _imports(path)}

    assert not imported & {"django", "rest_framework", "celery", "bench", "tests"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_of_the_pipeline_is_imported_inside_a_function(path):
    hidden = [name for name, nested in _imports(path) if nested and name.startswith(_name(PACKAGE))]

    assert hidden == []


def test_the_pipeline_modules_import_each_other_without_a_cycle():
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, trail: tuple[str, ...]) -> None:
        assert module not in trail, " -> ".join([*trail, module])
        if module in done:
            return
        for imported in sorted(graph[module]):
            visit(imported, (*trail, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


STARTERS = {"Popen", "run", "call", "check_call", "check_output", "system", "posix_spawn"}


def test_only_the_ffmpeg_supervisor_starts_processes():
    starters = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in STARTERS
                and isinstance(node.value, ast.Name)
                and node.value.id in {"subprocess", "os"}
            ):
                starters.append((path.relative_to(PACKAGE).as_posix(), node.attr))

    assert starters == [("ffmpeg/process.py", "Popen")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_holds_one_idea(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES

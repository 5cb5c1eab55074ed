"""The shape of the code, checked: apps in layers with no import cycle (import-linter's contracts
in pyproject.toml, and a walk over every module's imports), one definition of each shared rule,
and no module past ~400 lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "config", "api", "webhooks", "media_pipeline", "tenants", "billing", "accounts",
    "compliance", "web",
)  # fmt: skip
SKIPPED = {".venv", ".git", ".run", "migrations", "node_modules", "staticfiles", "tests", "bench"}
MAX_LINES = 400


def project_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts)
    )


def test_the_import_contracts_hold():
    done = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def test_no_two_modules_import_each_other_even_through_others():
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    assert len(graph.modules) > 150
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(name)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    assert strongly_connected(graph) == [{"a.x", "a.y", "a.z"}]


def definitions(pattern: str) -> list[str]:
    found = []
    for path in project_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}")
    return found


def test_each_shared_rule_is_defined_once():
    rules = {
        "the recap-job transition table": r"^TRANSITIONS\b.*=",
        "the language code list": r"^LANGUAGE_CODES\b.*=",
        "the recap's file fields": r"^\s*FILE_FIELDS\b.*=",
        "the subtitle size limit": r"^(MAX_BYTES|MAX_SUBTITLE_BYTES)\s*=",
        "ffmpeg process supervision": r"subprocess\.Popen\(",
        "the role sets": r"^MANAGER_ROLES\s*=",
    }
    for rule, pattern in rules.items():
        assert len(definitions(pattern)) == 1, (rule, definitions(pattern))


def test_modules_stay_small():
    long = {
        str(path.relative_to(ROOT)): count
        for path in project_modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}

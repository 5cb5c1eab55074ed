"""The README's environment table lists every variable the settings read, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SKIPPED_FOLDERS = {".venv", ".git", ".run", "tests", "bench", "migrations"}


def variables_the_settings_read() -> set[str]:
    source = "".join(p.read_text() for p in (ROOT / "config/settings").glob("*.py"))
    return set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', source))


def variables_in_the_readme_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Environment", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "".join(first_cells)))


def text_read_outside_the_settings() -> str:
    paths = [ROOT / "Procfile"] + [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_FOLDERS & set(path.relative_to(ROOT).parts)
        and not path.is_relative_to(ROOT / "config/settings")
    ]
    return "\n".join(path.read_text(encoding="utf-8") for path in paths)


def test_every_variable_the_settings_read_is_in_the_readme():
    read = variables_the_settings_read()
    assert {"DATABASE_URL", "RECAP_STAGE_TIME_LIMIT", "RECAP_STAGE_SOFT_TIME_LIMIT"} <= read
    assert sorted(read - variables_in_the_readme_table()) == []


def test_every_variable_in_the_readme_is_read_somewhere():
    elsewhere = variables_in_the_readme_table() - variables_the_settings_read()
    text = text_read_outside_the_settings()
    unread = [name for name in elsewhere if f'"{name}"' not in text and f"${{{name}" not in text]
    assert unread == []

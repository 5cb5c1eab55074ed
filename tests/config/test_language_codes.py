"""The product's language codes are listed once, as settings.LANGUAGE_CODES: no module derives
them from settings.LANGUAGES again (building (code, name) choices from it stays allowed).
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent
SKIPPED_FOLDERS = {".venv", ".git", ".run", "migrations", "node_modules", "staticfiles"}
# The one place allowed to derive the codes.
SETTINGS_FOLDER = Path("config/settings")
COLLECTIONS = {"set", "frozenset", "list", "tuple", "sorted"}


def _is_languages(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "LANGUAGES") or (
        isinstance(node, ast.Attribute) and node.attr == "LANGUAGES"
    )


def _is_dict_of_languages(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "dict"
        and len(node.args) == 1
        and _is_languages(node.args[0])
    )


def _names_used(nodes: list[ast.AST]) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)}


def _ignored_names(target: ast.AST) -> set[str] | None:
    """The names bound beside the code in `for code, name in LANGUAGES`, or None if not that."""
    if not isinstance(target, ast.Tuple) or len(target.elts) < 2:
        return None
    if not all(isinstance(elt, ast.Name) for elt in target.elts):
        return None
    return {elt.id for elt in target.elts[1:]}


def _only_collects_codes(loop: ast.For, code: str) -> bool:
    """A loop body that does nothing but `codes.add(code)` / `codes.append(code)`."""
    for statement in loop.body:
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in {"add", "append"}
            and len(call.args) == 1
            and isinstance(call.args[0], ast.Name)
            and call.args[0].id == code
        ):
            return False
    return True


def _comprehension_keeps_only_codes(node: ast.AST) -> bool:
    if not isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return False
    parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    used = _names_used(parts + [if_ for g in node.generators for if_ in g.ifs])
    for generator in node.generators:
        ignored = _ignored_names(generator.target)
        if ignored is not None and _is_languages(generator.iter) and not ignored & used:
            return True
    return False


def _loop_collects_only_codes(node: ast.AST) -> bool:
    if not (isinstance(node, ast.For) and _is_languages(node.iter)):
        return False
    ignored = _ignored_names(node.target)
    return (
        ignored is not None
        and not ignored & _names_used(node.body)
        and _only_collects_codes(node, node.target.elts[0].id)
    )


def _call_takes_keys_of_languages(node: ast.AST) -> bool:
    """`zip(*LANGUAGES)`, `set(dict(LANGUAGES))` and the like, or `dict(LANGUAGES).keys()`."""
    if isinstance(node, ast.Attribute):
        return node.attr == "keys" and _is_dict_of_languages(node.value)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return False
    if node.func.id == "zip":
        return any(isinstance(a, ast.Starred) and _is_languages(a.value) for a in node.args)
    return (
        node.func.id in COLLECTIONS and len(node.args) == 1 and _is_dict_of_languages(node.args[0])
    )


def code_derivations(source: str) -> list[int]:
    """Line numbers where `source` builds a list of language codes out of LANGUAGES."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if _comprehension_keeps_only_codes(node)
        or _loop_collects_only_codes(node)
        or _call_takes_keys_of_languages(node)
    )


def project_modules() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_FOLDERS & set(relative.parts) or relative.is_relative_to(SETTINGS_FOLDER):
            continue
        found.append(relative)
    return sorted(found)


def derivations_by_module() -> dict[str, list[int]]:
    found = {}
    for relative in project_modules():
        lines = code_derivations((ROOT / relative).read_text(encoding="utf-8"))
        if lines:
            found[relative.as_posix()] = lines
    return found


def test_language_codes_are_derived_once_in_the_settings():
    assert isinstance(settings.LANGUAGE_CODES, tuple)
    for code, (language, _name) in zip(settings.LANGUAGE_CODES, settings.LANGUAGES, strict=True):
        assert code == language
    offenders = derivations_by_module()
    assert offenders == {}, "read settings.LANGUAGE_CODES instead of deriving the codes"


def test_the_walk_covers_the_apps_and_skips_the_settings():
    modules = {path.as_posix() for path in project_modules()}
    assert {"accounts/services.py", "api/views/movies.py", "tenants/forms.py"} <= modules
    assert not any(module.startswith("config/settings/") for module in modules)
    assert not any("/migrations/" in module for module in modules)


def test_code_lists_built_from_languages_are_found():
    assert code_derivations("X = [code for code, _name in settings.LANGUAGES]") == [1]
    assert code_derivations("X = {c for c, _ in LANGUAGES if c != 'en'}") == [1]
    assert code_derivations("X = frozenset(code for code, name in settings.LANGUAGES)") == [1]
    assert code_derivations("X = set(dict(settings.LANGUAGES))") == [1]
    assert code_derivations("X = dict(settings.LANGUAGES).keys()") == [1]
    assert code_derivations("X = list(zip(*settings.LANGUAGES))[0]") == [1]
    loop = "codes = set()\nfor code, _name in settings.LANGUAGES:\n    codes.add(code)\n"
    assert code_derivations(loop) == [2]


def test_choices_and_names_built_from_languages_stay_allowed():
    allowed = [
        "X = [(code, name) for code, name in settings.LANGUAGES]",
        "X = {code: str(name) for code, name in settings.LANGUAGES}",
        "X = dict(settings.LANGUAGES)",
        "X = [code for code in settings.LANGUAGE_CODES]",
        "for code, _name in settings.LANGUAGES:\n    check(code)\n",
        "for code, name in settings.LANGUAGES:\n    names.append(name)\n",
    ]
    for source in allowed:
        assert code_derivations(source) == [], source

"""Every action the Store can write into the audit trail has a label in words in both languages.

The codes are read from the source (every `_audit(...)` and `_audit_read(...)` call under risk/), so a new action
added anywhere fails here until locales/sv.yaml and locales/en.yaml name it under `audit.actions`.
"""

from __future__ import annotations

import ast
import importlib
from typing import Any

from tests.conftest import ROOT
from ui.i18n import LANGUAGES, catalog

AUDIT_CALLS = ("_audit", "_audit_read")
ACTION_ARGUMENT = 2  # self._audit(s, user, action, ...)


def _codes_of(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {v for v in value.values() if isinstance(v, str)}
    if isinstance(value, list | tuple | set | frozenset):
        return {v for v in value if isinstance(v, str)}
    return set()


def _action_codes(node: ast.expr, module: Any, where: str) -> set[str]:
    """The codes an action argument can take: a literal, a module constant, or a lookup in a module table."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name) and hasattr(module, node.id):
        return _codes_of(getattr(module, node.id))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and hasattr(module, node.value.id):
        return _codes_of(getattr(module, node.value.id))
    if isinstance(node, ast.IfExp):
        return _action_codes(node.body, module, where) | _action_codes(node.orelse, module, where)
    raise AssertionError(
        f"{where}: the audit action {ast.unparse(node)!r} cannot be read from the source; use a literal or a "
        "module constant, so its label can be checked"
    )


def store_action_codes() -> dict[str, str]:
    """Every audit action code under risk/, with where it is written."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "risk").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in AUDIT_CALLS
        ]
        if not calls:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for call in calls:
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            node = call.args[ACTION_ARGUMENT] if len(call.args) > ACTION_ARGUMENT else None
            node = node or next((k.value for k in call.keywords if k.arg == "action"), None)
            assert node is not None, f"{where}: an audit call without an action"
            for code in _action_codes(node, module, where):
                found.setdefault(code, where)
    return found


def test_the_source_scan_finds_the_actions_it_should() -> None:
    codes = store_action_codes()
    assert {"login", "read_case", "save_assessment", "audit_sealed", "retention_delete", "read_audit"} <= set(codes)


def test_every_audit_action_has_words_in_both_languages() -> None:
    missing = [
        f"audit.actions.{code} (written at {where}) in locales/{lang}.yaml"
        for code, where in sorted(store_action_codes().items())
        for lang in LANGUAGES
        if f"audit.actions.{code}" not in catalog(lang)
    ]
    assert not missing, "add a label for:\n" + "\n".join(missing)


def test_no_label_for_an_action_the_store_never_writes() -> None:
    """A label left behind when an action is renamed would offer a filter that never matches."""
    codes = set(store_action_codes())
    for lang in LANGUAGES:
        labelled = {k.removeprefix("audit.actions.") for k in catalog(lang) if k.startswith("audit.actions.")}
        assert labelled <= codes, f"locales/{lang}.yaml labels actions nothing writes: {sorted(labelled - codes)}"


def test_sv_and_en_labels_differ_for_every_action() -> None:
    """An English label copied into sv.yaml (or the reverse) would be a leak of the other language."""
    same = [
        c for c in store_action_codes() if catalog("sv")[f"audit.actions.{c}"] == catalog("en")[f"audit.actions.{c}"]
    ]
    assert not same, same

"""Rules for the ui package that a reviewer would otherwise have to remember."""

from __future__ import annotations

import re

from tests.conftest import ROOT

# The building blocks that take plain data; pages and the session module wire in storage.
BLOCKS = [ROOT / "ui" / f"{name}.py" for name in ("i18n", "labels", "components", "form")]


def test_ui_never_caches_case_data() -> None:
    """st.cache_data is shared by every user: answers and persons must never go in it."""
    assert [p.name for p in sorted((ROOT / "ui").rglob("*.py")) if "cache_data" in p.read_text()] == []


def test_building_blocks_never_touch_storage() -> None:
    assert [p.name for p in BLOCKS if re.search(r"risk\.storage|sqlalchemy|sqlite3", p.read_text())] == []


def test_engine_still_never_imports_ui() -> None:
    assert [
        p.name for p in (ROOT / "risk").rglob("*.py") if re.search(r"^\s*(from|import) ui\b", p.read_text(), re.M)
    ] == []

"""Every app test gets a database of its own: SAMRISK_DATABASE_URL points at a fresh SQLite file in tmp_path.

The first start of the app on an empty database loads the synthetic demo (accounts with argon2 passwords, four
cases), which takes seconds; it is done once per run, by the app itself (in a thread of its own, waited for here
before the copy), and each test starts from a copy.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError

from risk.errors import SamriskError
from tests.app.helpers import start
from tests.ui.helpers import no_exceptions, page_text
from ui.session import demo_load, get_store


@dataclass(frozen=True)
class DemoDatabase:
    path: Path
    first_page: str  # what the app showed on its first start, on the empty database


def _forget_store() -> None:
    """get_store() is st.cache_resource, shared by every session of the process: close it and drop it."""
    # a test left settings under which the app does not start (or a database that cannot be reached): nothing open
    with contextlib.suppress(SamriskError, SQLAlchemyError):
        get_store().close()
    get_store.clear()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabase]:
    path = tmp_path_factory.mktemp("demo") / "samrisk.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAMRISK_DATABASE_URL", f"sqlite:///{path}")
        mp.setenv("SAMRISK_DEMO", "1")  # a database URL is set: the demo must be asked for
        get_store.clear()
        at = start()  # an empty database: the app loads the demo on its own
        no_exceptions(at)
        first = page_text(at)
        loading = demo_load(get_store())
        assert loading is not None and loading.wait(300) and loading.error is None
        _forget_store()
    yield DemoDatabase(path, first)


@pytest.fixture(autouse=True)
def database(demo_database: DemoDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh copy of the demo database for this test; the URL is returned."""
    path = tmp_path / "samrisk.sqlite3"
    with sqlite3.connect(demo_database.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("SAMRISK_DATABASE_URL", url)
    monkeypatch.setenv("SAMRISK_DEMO", "1")
    get_store.clear()
    yield url
    _forget_store()

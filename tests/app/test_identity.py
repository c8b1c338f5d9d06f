"""The app re-checks the signed-in user on every run, signs out after the idle time, and shows the demo password
only on a database marked as a demo."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from risk.demo import demo_wanted
from risk.storage import Store, UserInfo
from tests.app.helpers import PASSWORD, sign_in, signed_in, start, title
from tests.conftest import ROOT
from tests.ui.helpers import no_exceptions, page_text
from ui.i18n import t
from ui.session import demo_load, get_store


def rerun(at: object) -> None:
    at.run()  # type: ignore[attr-defined]
    no_exceptions(at)  # type: ignore[arg-type]


def test_a_user_disabled_mid_session_is_signed_out_on_the_next_click(database: str) -> None:
    at = signed_in("polis")
    store = Store.open(database)
    store.disable_user("polis", by=store.system_actor("tests"))
    store.close()
    rerun(at)
    assert "user" not in at.session_state
    assert title(at) == "Samrisk"
    assert t("pages.login.session_ended", "sv") in [i.value for i in at.info]


def test_a_forged_user_in_the_session_is_signed_out(database: str) -> None:
    at = signed_in("polis")
    at.session_state["user"] = UserInfo(at.session_state["user"].id, "polis", "police", "admin")
    rerun(at)
    assert "user" not in at.session_state and title(at) == "Samrisk"
    edited = signed_in("soc")
    real = edited.session_state["user"]
    edited.session_state["user"] = UserInfo(real.id, real.username, "police", real.role, token=real.token)
    rerun(edited)
    assert "user" not in edited.session_state


def test_signed_out_after_the_idle_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_IDLE_MINUTES", "15")
    at = signed_in("polis")
    at.session_state["last_seen"] = time.monotonic() - 14 * 60
    rerun(at)
    assert at.session_state["user"].username == "polis"  # 14 minutes: still signed in
    at.session_state["last_seen"] = time.monotonic() - 16 * 60
    rerun(at)
    assert "user" not in at.session_state
    assert t("pages.login.idle_signed_out", "sv", minutes="15") in [i.value for i in at.info]


def test_the_demo_password_is_shown_only_on_a_demo_database(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert PASSWORD in page_text(start())  # the demo database is marked

    monkeypatch.setenv("SAMRISK_PRODUCTION", "1")
    monkeypatch.setenv("SAMRISK_SECRET_KEY", "k" * 40)
    get_store.clear()
    assert PASSWORD not in page_text(start())  # never with the production flag

    monkeypatch.delenv("SAMRISK_PRODUCTION")
    monkeypatch.setenv("SAMRISK_DEMO", "0")
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    monkeypatch.setenv("SAMRISK_DATABASE_URL", url)
    store = Store.open(url)
    store.add_user("polis", "a long passphrase", "police", "officer", by=store.system_actor("tests"))
    store.close()
    get_store.clear()
    at = start()
    assert PASSWORD not in page_text(at) and "samordnare" not in page_text(at)  # not a demo: no list of accounts
    get_store().close()
    get_store.clear()


def test_a_first_start_shows_the_sign_in_page_before_the_demo_is_loaded_and_a_sign_in_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMRISK_DATABASE_URL", f"sqlite:///{tmp_path / 'first.sqlite3'}")
    monkeypatch.setenv("SAMRISK_DEMO", "1")
    get_store.clear()
    at = start()
    no_exceptions(at)
    loading = demo_load(get_store())
    assert loading is not None  # the accounts and cases load in a thread: the page did not wait for them
    assert PASSWORD in page_text(at)  # the database was marked as a demo before the first page
    sign_in(at, "polis")  # at once: the sign-in waits until the demo's accounts exist
    no_exceptions(at)
    assert loading.done and loading.error is None
    assert at.session_state["user"].username == "polis"
    assert "DEMO-001" in page_text(at.main)
    get_store().close()
    get_store.clear()


def test_a_failed_background_demo_load_is_said_on_the_sign_in_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import risk.demo

    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(risk.demo, "_fill", broken)
    monkeypatch.setenv("SAMRISK_DATABASE_URL", f"sqlite:///{tmp_path / 'broken.sqlite3'}")
    monkeypatch.setenv("SAMRISK_DEMO", "1")
    get_store.clear()
    at = sign_in(start(), "polis")  # waits for the load, which fails: no account, and the page says why
    no_exceptions(at)
    loading = demo_load(get_store())
    assert loading is not None and isinstance(loading.error, OSError)
    assert "user" not in at.session_state
    assert t("start.demo_failed", "sv") in [e.value for e in at.error]
    get_store().close()
    get_store.clear()


def test_the_demo_is_refused_with_the_production_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    monkeypatch.setenv("SAMRISK_DATABASE_URL", url)
    monkeypatch.setenv("SAMRISK_PRODUCTION", "1")
    monkeypatch.setenv("SAMRISK_SECRET_KEY", "k" * 40)
    get_store.clear()
    at = start()
    no_exceptions(at)
    [warning] = [w.value for w in at.warning]
    assert "SAMRISK_PRODUCTION" in warning and PASSWORD not in page_text(at)
    assert get_store().list_users(get_store().system_actor("tests")) == []
    get_store().close()
    get_store.clear()


def test_production_without_a_secret_key_says_what_to_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite3'}")
    monkeypatch.setenv("SAMRISK_PRODUCTION", "1")
    monkeypatch.delenv("SAMRISK_SECRET_KEY", raising=False)
    get_store.clear()
    at = start()
    no_exceptions(at)
    assert any("SAMRISK\\_SECRET\\_KEY" in e.value for e in at.error)  # the name, escaped for Markdown


_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # one file name per parallel worker (pytest-xdist)
ELSEWHERE = f"sqlite:///{Path(tempfile.gettempdir()) / f'samrisk-configured-{_WORKER}.sqlite3'}"  # not in the checkout


@pytest.mark.parametrize(
    ("env", "wanted"),
    [
        ({}, True),  # the README's first command: the default SQLite file of a checkout
        ({"SAMRISK_DATABASE_URL": ELSEWHERE}, False),  # a configured database: only when asked
        ({"SAMRISK_DATABASE_URL": ELSEWHERE, "SAMRISK_DEMO": "1"}, True),
        ({"SAMRISK_PRODUCTION": "1"}, False),
        ({"SAMRISK_DEMO": "0"}, False),
    ],
)
@pytest.mark.full  # slow: a server start or hundreds of generated cases (fast tier: tests/conftest.py)
def test_when_the_app_wants_the_demo(env: dict[str, str], wanted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SAMRISK_DATABASE_URL", "SAMRISK_DEMO", "SAMRISK_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert demo_wanted() is wanted


@pytest.mark.full  # slow: a server start or hundreds of generated cases (fast tier: tests/conftest.py)
def test_the_readme_first_command_still_shows_a_working_demo(tmp_path: Path) -> None:
    """`streamlit run app.py` in a checkout, no settings: the default SQLite file gets the demo, marked, and the
    sign-in page lists the accounts and the password without importing pandas (seconds of a first start); run in a
    process of its own, with a clean environment."""
    script = (
        "from streamlit.testing.v1 import AppTest\n"
        "from tests.app.helpers import APP, PASSWORD, sign_in\n"
        "from tests.ui.helpers import page_text\n"
        "at = AppTest.from_file(str(APP), default_timeout=120); at.run()\n"
        "assert PASSWORD in page_text(at) and '| samordnare |' in page_text(at), page_text(at)\n"
        "import sys; assert 'pandas' not in sys.modules, 'the sign-in page imported pandas'\n"
        "sign_in(at, 'polis'); assert at.session_state['user'].username == 'polis'\n"
        "print('demo ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMRISK_") and k != "PYTEST_CURRENT_TEST"}
    env["SAMRISK_DATA_DIR"] = str(tmp_path / "var")  # the default SQLite file, in a folder of its own
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "demo ok" in done.stdout, done.stderr[-2000:]
    assert (tmp_path / "var" / "samrisk.sqlite3").exists() and (tmp_path / "var" / "secret.key").exists()

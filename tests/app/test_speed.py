"""What keeps a click quick, seen from the app: one read of the open case per run, pages loaded on first use."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from risk.storage import schema as db
from tests.app.helpers import APP, open_case, signed_in, title
from tests.conftest import ROOT
from ui.session import get_store


def reads_of_the_case() -> int:
    """The audit entries of reading a case file (each Store.get_case writes one)."""
    with get_store().engine.connect() as c:
        return int(c.execute(select(func.count()).where(db.AuditEntry.action == "read_case")).scalar_one())


def test_the_result_page_reads_the_case_once_per_run() -> None:
    at = open_case(signed_in("polis"), "DEMO-001")
    assert title(at) == "Resultat"
    before = reads_of_the_case()
    at.run()  # a rerun of the page, as after any click on it
    assert title(at) == "Resultat"
    assert reads_of_the_case() - before == 1  # the case file and the engine's result share one read


def test_the_sign_in_page_does_not_load_the_other_pages() -> None:
    """A first start imports only what the sign-in page needs; each page's module comes with its first visit."""
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(APP)!r}, default_timeout=120)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "print(sorted(m for m in sys.modules if m.startswith('ui.pages.')))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().splitlines()[-1] == "['ui.pages.login']"

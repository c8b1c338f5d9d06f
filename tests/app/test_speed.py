"""What keeps a click quick, seen from the app: one read of the open case per run, pages loaded on first use."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from risk.storage import schema as db
from tests.app.helpers import APP, choose_case, open_case, open_section, signed_in, title
from tests.conftest import ROOT
from ui.i18n import t
from ui.nav import PAGE_MODULES
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
    """A first start imports only what the sign-in page needs: no other page's module, nor the checklists, the
    engine's models, pydantic or numpy. Once the page is drawn, the warm-up (ui/nav.py) imports them in a thread,
    so that the sign-in does not wait for them either."""
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "from ui import nav\n"
        "before = set(sys.modules)\n"
        f"at = AppTest.from_file({str(APP)!r}, default_timeout=120)\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "warm = nav.warming()\n"
        "assert warm.started and warm.wait(300)\n"
        "first = warm.modules_before - before\n"  # what the first run imported, before the warm-up began
        "print(sorted(m for m in first if m.startswith('ui.pages.')))\n"
        "heavy = {'pydantic', 'numpy', 'pandas', 'risk.checklists', 'risk.models', 'risk.engine', 'ui.labels',"
        " 'ui.components'}\n"
        "print(sorted(heavy & first))\n"
        "print(sorted(m for m in sys.modules if m.startswith('ui.pages.')))\n"
    )
    shown = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    first_pages, heavy, warmed = shown.stdout.strip().splitlines()[-3:]
    assert first_pages == "['ui.pages.login']"
    assert heavy == "[]"
    assert warmed == str(sorted(["ui.pages.login", *(f"ui.pages.{m}" for m in PAGE_MODULES)]))


def test_charts_and_long_sections_are_drawn_only_when_opened() -> None:
    """plotly's charts cost a second and more of a page's paint in the browser: the result's score charts and the
    conference timeline are sent only once their sections are opened, and the result's first screen stays light."""
    at = open_case(signed_in("polis"), "DEMO-001")
    assert not at.get("plotly_chart")
    assert not at.get("download_button")  # the print summary is built when its section is opened
    labels = [e.label for e in at.expander]
    assert labels[0] == t("pages.result.why", "sv") and t("summary.print_title", "sv") in labels  # still offered
    open_section(at, "result.why")
    shown = get_store().assess_case(at.session_state["user"], at.session_state["case_id"], lang="sv")
    assert len(at.get("plotly_chart")) == len(shown["assessments"]) >= 1  # one score chart per assessment

    at = signed_in("samordnare")  # lands on the conference
    assert title(at) == "Ärendemöte"
    at = choose_case(at, "DEMO-004")
    assert not at.get("plotly_chart")
    assert t("pages.conference.timeline", "sv") in [e.label for e in at.expander]
    assert len(open_section(at, "conference.timeline").get("plotly_chart")) == 1

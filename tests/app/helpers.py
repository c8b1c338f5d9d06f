"""Drive the whole app (app.py) as a user would: sign in, follow the menu, click, read what is shown."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.conftest import ROOT
from tests.ui.helpers import no_exceptions, page_text

APP = ROOT / "app.py"
TIMEOUT = 60  # the first run imports plotly and loads the checklists
PASSWORD = json.loads((ROOT / "data" / "demo.json").read_text(encoding="utf-8"))["password"]
URL_PATHS = ("cases", "intake", "result", "conference", "figures", "validation", "users", "audit", "law", "training")
REF = re.compile(r"E-[0-9A-F]{8}")  # a fault's reference, as ui/errors.py makes it
LEAKS = ("Traceback", "PermissionDenied", "NotFound", "RuntimeError", "SELECT", "sqlite", "/srv/", str(ROOT))
_BADGE = re.compile(r'class="samrisk-level[^"]*"[^>]*aria-label="([^"]+)"')


def start() -> AppTest:
    """A new browser session on the app (a refresh, or another browser)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    return at


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Fill in and submit the sign-in form."""
    form = at.main
    form.text_input[0].input(username)
    form.text_input[1].input(password)
    form.button[0].click()
    at.run()
    return at


def signed_in(username: str) -> AppTest:
    at = sign_in(start(), username)
    no_exceptions(at)
    assert at.session_state["user"].username == username, page_text(at)
    return at


def nav_titles(at: AppTest) -> list[str]:
    """The entries of the navigation menu: the pages st.navigation registered in the last run. (AppTest does not
    render the menu; it keeps the registered pages to resolve switch_page.)"""
    return [str(info["page_name"]) for info in at._registered_pages.values()]


def _request(at: AppTest, page_hash: str) -> AppTest:
    # AppTest.switch_page only resolves file-based pages; the app's pages are callables (st.Page(fn)), so the
    # page is requested by its hash, as the browser does when the menu is clicked or a URL is typed
    at._page_hash = page_hash
    try:
        at.run()
    finally:
        at._page_hash = ""  # later runs stay on the page the run ended on, like the browser
    no_exceptions(at)
    return at


def open_page(at: AppTest, title: str) -> AppTest:
    """Click the menu entry with this title."""
    pages = {str(info["page_name"]): page_hash for page_hash, info in at._registered_pages.items()}
    assert title in pages, f"{title!r} not in the menu {list(pages)}"
    return _request(at, pages[title])


def type_url(at: AppTest, url_path: str) -> AppTest:
    """Type the page's address (…/cases) into the browser: st.Page hashes its url_path."""
    return _request(at, calc_hash(url_path))


def button(node: Any, label: str) -> Any:
    found = [b for b in node.button if b.label == label]
    assert len(found) == 1, f"{len(found)} buttons {label!r} among {[b.label for b in node.button]}"
    return found[0]


def click(at: AppTest, label: str) -> AppTest:
    button(at, label).click()
    at.run()
    no_exceptions(at)
    return at


def selectbox(node: Any, label: str) -> Any:
    found = [s for s in node.selectbox if s.label == label]
    assert len(found) == 1, f"{len(found)} select boxes {label!r} among {[s.label for s in node.selectbox]}"
    return found[0]


def choose_case(at: AppTest, reference: str) -> AppTest:
    """On the conference page: choose the case whose reference starts with `reference` (none is shown before)."""
    case = selectbox(at, "Ärende")
    [chosen] = [o for o in case.options if o.startswith(reference)]
    case.select(chosen)
    at.run()
    no_exceptions(at)
    return at


def badges(node: Any) -> list[str]:
    """Every level shown, as a screen reader reads it: 'Risknivå: Mycket hög (4 av 4)'."""
    return [m for el in node.markdown for m in _BADGE.findall(str(el.value))]


def title(at: AppTest) -> str:
    return str(at.title[0].value) if at.title else ""


def open_section(at: AppTest, key: str) -> AppTest:
    """Open the section (st.expander) with this key, as a click on its title does: a section drawn only when open
    (on_change="rerun") is drawn in the run that follows."""
    at.session_state[key] = True
    at.run()
    no_exceptions(at)
    return at


def form_sections_open(at: AppTest) -> dict[str, bool]:
    """The intake form's sections as the page last drew them (their state's key: `form.<lang>.<edit>.section.<id>`),
    open or not: a closed section's questions are not drawn."""
    return {str(k): bool(v) for k, v in at.session_state.items() if str(k).startswith("form.") and ".section." in k}


def open_form(at: AppTest) -> AppTest:
    """Open every closed section of the intake form, as clicks on their titles do."""
    closed = [k for k, is_open in form_sections_open(at).items() if not is_open]
    for key in closed:
        at.session_state[key] = True
    if closed:
        at.run()
        no_exceptions(at)
    return at


def open_case(at: AppTest, reference: str) -> AppTest:
    """On the cases page: search for the reference and open the one case found."""
    assert title(at) in ("Ärenden", "Cases"), title(at)
    at.text_input(key="cases.search").input(reference)
    at.run()
    opens = [b for b in at.main.button if b.key and b.key.startswith("open.")]
    assert len(opens) == 1, page_text(at.main)
    opens[0].click()
    at.run()
    no_exceptions(at)
    return at


_KEYED = re.compile(r"^\$\$ID-[0-9a-f]+-(.+)$")  # a keyed element's id: Streamlit's hash, then the key given


def keyed_sections(at: AppTest) -> list[str]:
    """The keys of the sections (st.expander with a key) on the page; those with on_change="rerun" are drawn only
    when opened and show nothing of their content until then."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if getattr(node, "type", "") == "expander" and (m := _KEYED.match(str(node.proto.id))):
            found.append(m.group(1))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def open_every_section(at: AppTest, limit: int = 20) -> AppTest:
    """Open every section of the page that is drawn when opened, as a reader clicking each title, until none is
    left closed (an opened section may hold another)."""
    for _ in range(limit):
        closed = [k for k in keyed_sections(at) if not at.session_state.get(k)]
        if not closed:
            return at
        for key in closed:
            at.session_state[key] = True
        at.run()
        no_exceptions(at)
    raise AssertionError(f"sections keep appearing closed: {keyed_sections(at)}")


# The views a page offers in a segmented control of its main area, by the control's key: one view is drawn at a
# time, so a test that reads a page reads each view. every_view() fails on a control not named here.
VIEWS = {
    "training.view": ("practice", "results", "trainer"),
    "law.view": ("ask", "overview"),
}


def every_view(at: AppTest) -> Iterator[str]:
    """Show each view of the page in turn (every section of it opened); yields the view as `key=value`. A page
    without views yields once, as it is."""
    controls = [c.key for c in at.main.segmented_control if c.key]
    unknown = [k for k in controls if k not in VIEWS]
    assert not unknown, f"views the tests do not know (add them to VIEWS in tests/app/helpers.py): {unknown}"
    if not controls:
        yield ""
        return
    for key in controls:
        for value in VIEWS[key]:
            at.session_state[key] = value
            at.run()
            no_exceptions(at)
            open_every_section(at)
            yield f"{key}={value}"


def shown_text(at: AppTest) -> str:
    """Everything the page shows: its text, its errors and any exception box."""
    return page_text(at) + "\n".join(str(e.value) for e in at.error) + "\n".join(str(e.value) for e in at.exception)


def said_with_a_reference(at: AppTest, caplog: pytest.LogCaptureFixture) -> str:
    """The one error shown: a reference in it, nothing of the fault's text, SQL or paths on the page, and the
    details, traceback included, in the log only under that reference. Returns the error's text."""
    [error] = at.error
    [ref] = REF.findall(error.value)
    shown = shown_text(at)
    for leak in LEAKS:
        assert leak not in shown, leak
    logged = [r for r in caplog.records if ref in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    return str(error.value)

"""Browser tests: the real app in a real (headless) Chromium, as Streamlit's own end-to-end tests do it.

Each test module starts `streamlit run app.py` once, on a free port and a fresh SQLite file (the synthetic demo
loads itself), and stops it afterwards. Chromium is Debian's (/usr/bin/chromium), driven by the playwright
package; no browser is ever downloaded. Without either the tests are skipped with a message, except in CI
(the CI variable is set), where they fail.

Screenshots: `screenshot(page, name)` writes into pytest's temporary folder (printed in the test's output, to look
at), and into docs/screenshots/ — the README's pictures — only with `pytest --screenshots`; a plain run leaves the
checkout unchanged.

Fixtures for every browser test module: `app_url` (the server), `page` (a fresh signed-out browser session) and
`signed_in` (a function: `signed_in("polis")` returns a fresh page signed in as that demo account; ACCOUNTS names
the demo account of each role). Helpers: `settle`, `type_into`, `type_date`, `choose`, `answer` (one checklist
item, its section opened where closed), `answer_all` (several), `open_form_sections`, `open_app`, `new_case`,
`add_person`, `save_and_open_result`, `sign_in`,
`assert_clean`, `screenshot`.

Waiting: after every action, wait for the app's script to finish (`[data-test-script-state='notRunning']`)
and then for what the action should show; elements are found by `data-testid`, role and label.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"  # the README's pictures: written only with --screenshots
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "samrisk-demo-2026"  # data/demo.json: synthetic demo accounts only
ACCOUNTS = {  # the demo account of each role (data/demo.json)
    "officer": "polis",
    "clinician": "vard",
    "social_worker": "soc",
    "coordinator": "samordnare",
    "supervisor": "chef",
    "admin": "admin",
}
WIDTH, HEIGHT = 1280, 900
START_TIMEOUT_S = 90
IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -r requirements-dev.txt)"
    return None


def skip_or_fail(why: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {why}", pytrace=False)
    pytest.skip(f"browser tests skipped: {why}", allow_module_level=True)


def require_browser() -> None:
    why = browser_missing()
    if why is not None:
        skip_or_fail(why)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 200
    except OSError:
        return False


_screenshots_to: list[Path] = []  # the folder screenshot() writes into, set once per run by `screenshot_folder`


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots/ with --screenshots, else a temporary folder: a plain test run changes nothing in the
    checkout."""
    asked = bool(request.config.getoption("screenshots"))
    folder = SCREENSHOTS if asked else tmp_path_factory.mktemp("screenshots")
    _screenshots_to[:] = [folder]
    return folder


DATABASES: dict[str, str] = {}  # each server's database URL by the server's URL (`app_database`)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a Samrisk server of its own (one per test module) on a fresh database."""
    require_browser()
    folder = tmp_path_factory.mktemp("e2e")
    port = free_port()
    DATABASES[f"http://127.0.0.1:{port}/"] = f"sqlite:///{folder / 'samrisk.sqlite3'}"
    env = {
        **os.environ,
        "SAMRISK_DATABASE_URL": DATABASES[f"http://127.0.0.1:{port}/"],
        "SAMRISK_DEMO": "1",
        "SAMRISK_I18N_STRICT": "1",  # a missing text is an exception on the page, never a ⟦key⟧
    }
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",  # no "File change. Rerun?" bar when the source is edited meanwhile
        "--client.toolbarMode", "minimal",  # what users see on a deployed server: no developer menu
    ]  # fmt: skip
    log_path = folder / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(f"http://127.0.0.1:{port}/_stcore/health"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start on port {port}:\n{log_path.read_text()}", pytrace=False)
            time.sleep(0.25)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture
def app_database(app_url: str) -> str:
    """The database URL of the server at `app_url`: a test changes there what an administrator would change
    meanwhile (an account disabled, say)."""
    return DATABASES[app_url]


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser session (its own Streamlit session) at desktop size, Swedish."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="sv-SE")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def signed_in(browser: Browser, app_url: str) -> Iterator[Callable[[str], Page]]:
    """`signed_in("vard")`: a fresh browser session of its own (desktop size, Swedish) signed in as that demo
    account, on its first page. Several accounts in one test each get their own session."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    contexts: list[BrowserContext] = []

    def open_as(username: str) -> Page:
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale="sv-SE")
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, app_url, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


# ---- helpers the tests share -------------------------------------------------------------------------------


def settle(page: Page) -> None:
    """Wait until the app has finished the run the last action started (and is connected)."""
    page.wait_for_timeout(150)  # the frontend marks the rerun it requested on its next render
    page.wait_for_selector(IDLE)


def type_into(page: Page, label: str, text: str) -> None:
    """Type into a text or number input and leave it, so Streamlit takes the value (also inside a form)."""
    from playwright.sync_api import expect

    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Tab")
    expect(box).to_have_value(text)
    settle(page)


def type_date(page: Page, label: str, iso_date: str) -> None:
    """Type a date (YYYY-MM-DD) into a date input: its year, month and day fields take the digits in turn."""
    field = page.get_by_label(label, exact=True)
    field.get_by_role("spinbutton").first.click()
    page.keyboard.type(iso_date.replace("-", ""))
    page.keyboard.press("Tab")
    settle(page)


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a select box by its label and the option's text (typed to filter a long list)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):  # a rerun still drawing (two servers on two busy cores) may close the list it opened
        settle(page)
        box.click()
        try:
            page.get_by_role("listbox").first.wait_for(state="visible", timeout=5000)
            if wanted.count() == 0:  # a long list draws only the options in view: type to filter, as a person would
                box.fill(option)
            wanted.click(timeout=10000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    expect(box).to_have_value(option)
    settle(page)


def click_until(page: Page, button: Locator, shown: Locator) -> None:
    """Click `button` until `shown` appears, at most three times: a rerun still drawing on two busy cores (the
    section the button is in was just opened) can swallow a click, and a person then clicks again. Still fails
    where the click never shows it."""
    from playwright.sync_api import expect

    for attempt in range(3):
        settle(page)
        if attempt and (shown.count() or not button.count()):
            break
        button.click()
        settle(page)
        if shown.count():
            break
    expect(shown).to_be_visible()


def open_form_sections(page: Page) -> None:
    """Open every closed section of the intake form (an expander in the main area), one click on its title each,
    as a person does to see its questions: a closed section draws none."""
    closed = page.get_by_test_id("stMain").locator("details:not([open]) > summary")
    while closed.count():
        closed.first.click()
        settle(page)


def answer(page: Page, question: str, word: str) -> None:
    """Answer a checklist item (found by part of its question) with 'ja', 'nej' or 'vet ej'; its section is opened
    first where it is closed."""
    from playwright.sync_api import expect

    item = page.get_by_test_id("stRadio").filter(has_text=question)
    if item.count() == 0:
        open_form_sections(page)
    expect(item).to_have_count(1)
    item.get_by_text(word, exact=True).click()
    expect(item.get_by_role("radio", name=word, exact=True)).to_be_checked()
    settle(page)


def answer_all(page: Page, answers: list[tuple[str, str]]) -> None:
    """Answer several checklist items: (part of the question, 'ja' / 'nej' / 'vet ej'), in order."""
    for question, word in answers:
        answer(page, question, word)


def new_case(page: Page, reference: str, context: str | None = None) -> None:
    """From the case list: start a new case with this reference (and context, by its Swedish name, where the
    agency has several), and wait for the intake page of the new case."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Nytt ärende").click()
    expect(page.get_by_role("button", name="Skapa ärende")).to_be_visible()
    settle(page)
    type_into(page, "Ärendereferens", reference)
    if context is not None:
        choose(page, "Var bedömningen görs", context)
    page.get_by_role("button", name="Skapa ärende").click()
    expect(page.get_by_test_id("stMain").get_by_text(reference, exact=False).first).to_be_visible()
    settle(page)


def add_person(page: Page, role: str, age: int) -> None:
    """Register a person on the intake page by role (its Swedish word, e.g. 'utsatt', 'barn') and age."""
    import re

    from playwright.sync_api import expect

    choose(page, "Roll", role)
    type_into(page, "Ålder (år)", str(age))
    page.get_by_role("button", name="Lägg till", exact=True).click()
    expect(page.get_by_test_id("stMain").get_by_text(re.compile(rf"– {role}, {age} år$")).last).to_be_visible()
    settle(page)


def save_and_open_result(page: Page) -> None:
    """Save the assessment on the intake page and wait for the result page."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Spara bedömning och visa resultat").click()
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    settle(page)


def open_app(page: Page, url: str) -> None:
    """Open the app and wait for its first page. The first visit of a fresh server also loads the demo (seconds
    on a busy machine), so it may take up to the start-up time."""
    page.goto(url)
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=START_TIMEOUT_S * 1000)


def sign_in(page: Page, url: str, username: str) -> None:
    from playwright.sync_api import expect

    open_app(page, url)
    type_into(page, "Användarnamn", username)
    type_into(page, "Lösenord", PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    settle(page)


def assert_clean(page: Page) -> None:
    """No exception box, no untranslated key and no Streamlit default English placeholder on the page."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)
    text = page.get_by_test_id("stApp").inner_text()
    assert "⟦" not in text, "a text key without a translation is on the page"
    english = page.locator(  # shown only while a select box is empty
        "[placeholder='Choose an option']:placeholder-shown, [placeholder='Choose options']:placeholder-shown"
    )
    expect(english).to_have_count(0)


def screenshot(page: Page, name: str, width: int = WIDTH) -> Path:
    """A full-page screenshot, into docs/screenshots/ with --screenshots, else into a temporary folder. Streamlit
    scrolls inside its own containers, not the document, so the viewport is made as tall as the content first (and
    put back afterwards)."""
    height = page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight,
            ...['stMain', 'stAppViewContainer', 'stSidebarContent']
                .map(id => document.querySelector(`[data-testid='${id}']`))
                .filter(Boolean).map(e => e.scrollHeight))"""
    )
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    before: Any = page.viewport_size
    page.set_viewport_size({"width": width, "height": int(height) + 16})
    page.wait_for_timeout(400)  # charts and columns lay themselves out again
    settle(page)
    if not _screenshots_to:  # called outside the tests (a benchmark script): never into the checkout
        import tempfile

        _screenshots_to.append(Path(tempfile.mkdtemp(prefix="samrisk-screenshots-")))
    folder = _screenshots_to[0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(before)
    settle(page)
    return path

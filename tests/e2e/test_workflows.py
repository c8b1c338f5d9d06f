"""Workflows in Chromium: a police officer records a concern report as it was made, and withdraws a consent."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.conftest import assert_clean, choose, require_browser, settle, sign_in, type_into

if TYPE_CHECKING:
    from playwright.sync_api import Page

require_browser()

SLOW_MS = 120_000
LOOK = os.environ.get("SAMRISK_WORKFLOWS_LOOK")  # a folder: pictures to look at while developing, never committed


def look(page: Page, name: str) -> None:
    if LOOK:
        page.screenshot(path=str(Path(LOOK) / name), full_page=True)


def to_conference(page: Page, app_url: str, case: str) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(SLOW_MS)  # eight engineers share two cores: a run may take long
    expect.set_options(timeout=SLOW_MS)
    sign_in(page, app_url, "polis")
    page.get_by_role("link", name="Ärendemöte").click()
    settle(page)
    expect(page.get_by_role("heading", name="Ärendemöte", exact=True)).to_be_visible()
    choose(page, "Ärende", case)


def test_an_officer_records_a_concern_report_as_it_was_made(page: Page, app_url: str) -> None:
    from playwright.sync_api import expect

    to_conference(page, app_url, "DEMO-003 Skottskada 17 år")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Orosanmälningar om barn")).to_be_visible()
    main.get_by_text("Registrera en gjord orosanmälan", exact=True).click()  # no report of the police's is due
    settle(page)
    form = page.get_by_test_id("stForm").filter(has_text="Registrera orosanmälan")
    expect(form.get_by_role("combobox", name="Barn")).to_have_value("y1 – utsatt, 17 år")
    type_into(page, "Kommun (socialtjänsten som tog emot den)", "Göteborg")
    form.get_by_text("per telefon", exact=True).click()
    form.get_by_role("button", name="Registrera orosanmälan").click()
    settle(page)
    expect(main.get_by_text("Orosanmälan om y1 – utsatt, 17 år är registrerad.")).to_be_visible()
    made = main.get_by_text("av polisen till socialtjänsten i Göteborg, per telefon; registrerad av polis.")
    expect(made).to_be_visible()
    assert_clean(page)
    look(page, "concern_report.png")


def test_an_officer_withdraws_a_consent_and_it_stays_in_the_history(page: Page, app_url: str) -> None:
    from playwright.sync_api import expect

    to_conference(page, app_url, "DEMO-001 Våld i lägenhet")
    main = page.get_by_test_id("stMain")
    main.get_by_text("Samtycken till att dela uppgifter", exact=True).click()
    settle(page)
    choose(page, "Samtycke som återkallas", "v1 – utsatt, 31 år → socialtjänsten")
    form = page.get_by_test_id("stForm").filter(has_text="Återkalla samtycke")
    form.get_by_text("Personen har återkallat samtycket", exact=False).click()
    form.get_by_role("button", name="Återkalla samtycke").click()
    settle(page)
    expect(main.get_by_text("är återkallat; det finns kvar i historiken", exact=False)).to_be_visible()
    look(page, "consent_withdrawn.png")
    assert_clean(page)

"""End to end, in Chromium: nothing entered is lost. The language switched in the middle of the police short form
keeps every answer (as a code in the draft, never a word), and a browser refresh keeps the officer signed in with
the answers where they were."""

from __future__ import annotations

import re

from tests.e2e.conftest import answer, assert_clean, browser_missing, choose, settle, sign_in, skip_or_fail, type_into

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

STRANGULATION_SV, STRANGULATION_EN = "tagit struptag", "strangle"


def new_police_case(page: Page, reference: str) -> None:
    page.get_by_role("button", name="Nytt ärende").click()
    expect(page.get_by_role("button", name="Skapa ärende")).to_be_visible()
    settle(page)
    type_into(page, "Ärendereferens", reference)
    page.get_by_role("button", name="Skapa ärende").click()
    expect(page.get_by_text(f"{reference} · Polisens ärendemottagning")).to_be_visible()
    settle(page)
    for role, age in [("utsatt", 31), ("misstänkt", 35)]:
        choose(page, "Roll", role)
        type_into(page, "Ålder (år)", str(age))
        page.get_by_role("button", name="Lägg till", exact=True).click()
        expect(page.get_by_test_id("stMain").get_by_text(re.compile(rf"– {role}, {age} år$"))).to_be_visible()
        settle(page)


def checked(page: Page, question: str, word: str) -> None:
    item = page.get_by_test_id("stRadio").filter(has_text=question)
    expect(item.get_by_role("radio", name=word, exact=True)).to_be_checked()


def switch_language(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    settle(page)


def test_language_switch_mid_form_keeps_every_answer(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    new_police_case(page, "E2E-DRAFT-LANG")
    answer(page, STRANGULATION_SV, "ja")
    answer(page, "Har du separerat", "nej")
    switch_language(page, "English")
    expect(page.get_by_role("heading", name="Intake", exact=True)).to_be_visible()
    assert_clean(page)
    checked(page, STRANGULATION_EN, "yes")
    checked(page, "separated", "no")
    item = page.get_by_test_id("stRadio").filter(has_text="tracking your phone")
    item.get_by_text("don't know", exact=True).click()
    settle(page)
    switch_language(page, "Svenska")
    assert_clean(page)
    checked(page, STRANGULATION_SV, "ja")
    checked(page, "Har du separerat", "nej")
    checked(page, "Förföljer, övervakar", "vet ej")

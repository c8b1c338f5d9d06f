"""End to end, in Chromium: nothing entered is lost. The language switched in the middle of the police short form
keeps every answer (as a code in the draft, never a word), a browser refresh keeps the officer signed in with
the answers where they were, and a draft the Store refuses behind an answer is said at the next answer."""

from __future__ import annotations

import re

from risk.storage import Store
from tests.e2e.conftest import (
    PASSWORD,
    answer,
    assert_clean,
    browser_missing,
    choose,
    open_form_sections,
    settle,
    sign_in,
    skip_or_fail,
    type_into,
)

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
    if item.count() == 0:  # its section is closed: open the form's sections, as a person does to look
        open_form_sections(page)
    expect(item.get_by_role("radio", name=word, exact=True)).to_be_checked()


def switch_language(page: Page, name: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(name, exact=True).click()
    expect(sidebar.get_by_text("Language" if name == "English" else "Språk", exact=True)).to_be_visible()
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
    answer(page, "tracking your phone", "don't know")
    switch_language(page, "Svenska")
    assert_clean(page)
    checked(page, STRANGULATION_SV, "ja")
    checked(page, "Har du separerat", "nej")
    checked(page, "Förföljer, övervakar", "vet ej")


def test_a_refresh_mid_form_keeps_the_officer_signed_in_with_the_answers(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    cookie = next(c for c in page.context.cookies() if c["name"] == "samrisk_session")
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    new_police_case(page, "E2E-DRAFT-REFRESH")
    answer(page, STRANGULATION_SV, "ja")
    answer(page, "Har du separerat", "vet ej")

    page.reload()
    settle(page)
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()  # still signed in
    expect(page.get_by_role("button", name="Logga in")).to_have_count(0)
    page.get_by_test_id("stSidebarNav").get_by_text("Ärenden", exact=True).click()
    settle(page)
    unfinished = page.get_by_test_id("stMain").get_by_text(re.compile(r"E2E-DRAFT-REFRESH.*v1 – utsatt, 31 år"))
    expect(unfinished).to_contain_text("senast ändrad i dag kl.")
    page.get_by_role("button", name="Fortsätt").first.click()  # the newest first: this one
    settle(page)
    checked(page, STRANGULATION_SV, "ja")
    checked(page, "Har du separerat", "vet ej")
    assert_clean(page)

    page.get_by_role("button", name="Logga ut").click()
    settle(page)
    page.reload()
    settle(page)
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()  # signed out stays signed out
    assert not [c for c in page.context.cookies() if c["name"] == "samrisk_session"]


def test_an_account_disabled_mid_form_ends_the_session_at_the_next_answer(
    page: Page, app_url: str, app_database: str
) -> None:
    """The draft behind an answer is written after the answer's rerun has ended (ui/draft_writer.py): the Store's
    refusal of it (the account was disabled meanwhile) is said in the next answer's own rerun, as the sign-in page
    with the reason, not lost in a worker thread."""
    store = Store.open(app_database)
    admin = store.system_actor("e2e")
    store.add_user("e2e-behind", PASSWORD, agency="police", role="officer", by=admin)
    sign_in(page, app_url, "e2e-behind")
    new_police_case(page, "E2E-DRAFT-BEHIND")
    answer(page, STRANGULATION_SV, "ja")
    store.disable_user("e2e-behind", by=admin)
    store.close()
    answer(page, "hotat att döda", "ja")  # its draft is refused behind it
    page.get_by_test_id("stRadio").filter(has_text="ett skjutvapen, eller").get_by_text("nej", exact=True).click()
    expect(page.get_by_text("Din session har upphört eller gäller inte längre")).to_be_visible()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)

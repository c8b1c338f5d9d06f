"""End to end, in Chromium: a police officer's intake at a domestic-violence call with a child in the home, and a
case-conference coordinator's view of a shared case. Writes docs/screenshots/{intake,result,conference}.png."""

from __future__ import annotations

import re

from tests.e2e.conftest import (
    answer,
    assert_clean,
    browser_missing,
    choose,
    screenshot,
    settle,
    sign_in,
    skip_or_fail,
    type_into,
)

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

LEVEL_IN_WORDS = re.compile(r"(Mycket hög|Hög) \(\d av 4\)")
SHORT_FORM = [  # part of the question → answer
    ("tagit struptag", "ja"),
    ("hotat att döda dig", "nej"),
    ("ett skjutvapen, eller möjlighet", "vet ej"),
    ("skulle kunna döda dig", "vet ej"),
    ("Har du separerat", "ja"),
    ("Förföljer, övervakar", "nej"),
    ("Blev du skadad", "nej"),
]


def test_police_intake_with_a_child_shows_the_level_the_concern_report_and_the_child_checklist(
    page: Page, app_url: str
) -> None:
    sign_in(page, app_url, "polis")
    expect(page.get_by_role("heading", name="Ärenden")).to_be_visible()
    page.get_by_role("button", name="Nytt ärende").click()
    expect(page.get_by_role("button", name="Skapa ärende")).to_be_visible()
    settle(page)

    type_into(page, "Ärendereferens", "E2E-2026-001 Larm lägenhet")
    page.get_by_role("button", name="Skapa ärende").click()
    expect(page.get_by_text("E2E-2026-001 Larm lägenhet · Polisens ärendemottagning")).to_be_visible()
    settle(page)

    for role, age in [("utsatt", 31), ("misstänkt", 35), ("barn", 4)]:
        choose(page, "Roll", role)
        type_into(page, "Ålder (år)", str(age))
        page.get_by_role("button", name="Lägg till", exact=True).click()
        expect(page.get_by_test_id("stMain").get_by_text(re.compile(rf"– {role}, {age} år$"))).to_be_visible()
        settle(page)
    expect(page.get_by_role("combobox", name="Bedömningen gäller")).to_have_value("v1 – utsatt, 31 år")
    expect(page.get_by_role("combobox", name="Misstänkt/den som utövar våld")).to_have_value("s1 – misstänkt, 35 år")

    for question, word in SHORT_FORM:
        answer(page, question, word)
    live = page.get_by_test_id("stSidebar").locator(".samrisk-level")
    expect(live).to_contain_text("Nivå hittills")
    expect(live).to_contain_text(LEVEL_IN_WORDS)
    assert_clean(page)
    screenshot(page, "intake.png")

    page.get_by_role("button", name="Spara bedömning och visa resultat").click()
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    settle(page)
    main = page.get_by_test_id("stMain")
    overall = main.locator(".samrisk-level").first
    expect(overall).to_contain_text("Samlad risknivå")
    expect(overall).to_contain_text(LEVEL_IN_WORDS)
    expect(main.get_by_text("Gör en orosanmälan", exact=False).first).to_be_visible()
    expect(main.get_by_role("heading", name="Checklistor som krävs")).to_be_visible()
    child = main.get_by_test_id("stVerticalBlock").filter(  # the required checklist's box: text and button
        has_text=re.compile(r"^Barn som far illa.* för c1 – barn, 4 år"), has=page.get_by_role("button", name="Starta")
    )
    expect(child).to_have_count(1)
    start = child.get_by_role("button", name="Starta")
    expect(start).to_be_enabled()
    assert_clean(page)
    screenshot(page, "result.png")

    start.click()  # the child's own checklist opens on the intake page
    expect(page.get_by_role("heading", name="Intag", exact=True)).to_be_visible()
    settle(page)
    expect(page.get_by_role("combobox", name="Checklista")).to_have_value(re.compile(r"^Barn som far illa"))
    expect(page.get_by_role("combobox", name="Bedömningen gäller")).to_have_value("c1 – barn, 4 år")
    assert_clean(page)


def test_case_conference_shows_every_agency_side_by_side(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "samordnare")
    expect(page.get_by_role("heading", name="Ärendemöte", exact=True)).to_be_visible()
    choose(page, "Ärende", "DEMO-004 Ärendemöte")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Myndigheternas bedömningar sida vid sida")).to_be_visible()
    for agency in ("Hälso- och sjukvården", "Polisen", "Socialtjänsten"):
        expect(main.get_by_role("heading", name=agency, exact=True)).to_be_visible()
    expect(main.get_by_text("Bedömningarna skiljer sig")).to_be_visible()
    expect(main.get_by_role("heading", name="Handlingsplan")).to_be_visible()
    expect(main.get_by_text("Föreslå kontaktförbud för åklagaren", exact=False)).to_be_visible()
    expect(main.locator(".js-plotly-plot")).to_have_count(1)
    assert_clean(page)
    screenshot(page, "conference.png")

"""End to end, in Chromium, the three journeys of the README: a police officer's intake at a domestic-violence call
with a child in the home; an emergency-department nurse's triage of a stabbed 16-year-old (criminal networks, then
the child's own checklist); a case-conference coordinator's view of a shared case and its action plan. With
`--screenshots` they refresh the README's pictures docs/screenshots/{intake,result,conference}.png."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.e2e.conftest import (
    ACCOUNTS,
    PASSWORD,
    add_person,
    answer,
    answer_all,
    assert_clean,
    browser_missing,
    choose,
    new_case,
    save_and_open_result,
    screenshot,
    settle,
    sign_in,
    skip_or_fail,
    type_date,
    type_into,
)

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Locator, Page, expect  # after the check: without the package the module is skipped

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
    # the step's text, not its check box's hidden name (the same words), which comes first once the box is drawn
    expect(main.get_by_text("Gör en orosanmälan", exact=False).filter(visible=True).first).to_be_visible()
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


def test_the_level_so_far_follows_answers_in_every_section_opened_and_closed(
    signed_in: Callable[[str], Page],
) -> None:
    """Each section of the form opens and closes under its title (only open ones draw their questions); the level
    so far in the sidebar follows every answer in any section, and stays when a section is opened or closed."""
    page = signed_in("polis")
    new_case(page, "E2E-SECTIONS-1")
    add_person(page, "utsatt", 31)
    add_person(page, "misstänkt", 35)
    main, side = page.get_by_test_id("stMain"), page.get_by_test_id("stSidebar")
    score = side.get_by_text(re.compile(r"^Poäng: \d+"))
    expect(score).to_contain_text("Poäng: 0 ")
    expect(main.get_by_test_id("stRadio").filter(has_text="Har du separerat")).to_have_count(0)  # closed
    answer(page, "tagit struptag", "ja")
    expect(side.locator(".samrisk-level")).to_contain_text("Hög")
    main.locator("summary", has_text="Våldets mönster").click()  # open the second section
    settle(page)
    expect(side.locator(".samrisk-level")).to_contain_text("Hög")  # still there after the section's own run
    before = score.inner_text()
    answer(page, "Har du separerat", "ja")
    expect(score).not_to_have_text(before)  # the second section's answer counts at once
    main.locator("summary", has_text="Tecken på livsfara").click()  # close the first: its questions go
    settle(page)
    expect(main.get_by_test_id("stRadio").filter(has_text="tagit struptag")).to_have_count(0)
    expect(side.locator(".samrisk-level")).to_contain_text(re.compile(r"(Mycket hög|Hög) \("))  # both still count
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
    expect(main.locator(".js-plotly-plot")).to_have_count(0)  # the timeline is drawn when its section is opened
    open_section(page, "Nivåer och åtgärder över tid")
    expect(main.locator(".js-plotly-plot")).to_have_count(1)
    assert_clean(page)
    screenshot(page, "conference.png")


CRIMINAL_NETWORKS = "Kriminella nätverk och våldsbejakande extremism – utsatthet och risk"
TRIAGE = [  # a stab wound, threats from a network (critical), revenge not known, no weapon
    ("skott-, stick- eller sprängskada", "ja"),
    ("blivit hotad av personer i ett kriminellt", "ja"),
    ("tänker hämnas eller ge igen", "vet ej"),
    ("bär eller förvarar vapen", "nej"),
]
CHILD_TRIAGE = [
    ("utnyttjas eller dras in i brott", "ja"),
    ("Skadar barnet sig själv", "vet ej"),
]


def open_section(page: Page, title: str) -> Locator:
    """Open a section of the main area folded into an expander (found by the start of its label), as a person
    clicks its title, and return it once it is open."""
    section = (
        page.get_by_test_id("stMain")
        .get_by_test_id("stExpander")
        .filter(has=page.locator("summary").filter(has_text=title))
    )
    expect(section).to_have_count(1)
    section.locator("summary").first.click()  # its own title; sections inside it (e.g. an override) come after
    expect(section.locator("details").first).to_have_attribute("open", "")
    settle(page)
    return section


def test_emergency_department_triage_of_a_stabbed_16_year_old_requires_the_childs_checklist(
    signed_in: Callable[[str], Page],
) -> None:
    page = signed_in(ACCOUNTS["clinician"])
    expect(page.get_by_role("heading", name="Ärenden")).to_be_visible()
    new_case(page, "E2E-AKUT-16 Stickskada", context="Akutmottagning")
    expect(page.get_by_text("E2E-AKUT-16 Stickskada · Akutmottagning")).to_be_visible()
    add_person(page, "utsatt", 16)

    choose(page, "Checklista", CRIMINAL_NETWORKS)
    expect(page.get_by_role("combobox", name="Bedömningen gäller")).to_have_value("v1 – utsatt, 16 år")
    answer_all(page, TRIAGE)
    expect(page.get_by_test_id("stSidebar").locator(".samrisk-level")).to_contain_text(LEVEL_IN_WORDS)
    assert_clean(page)
    save_and_open_result(page)

    main = page.get_by_test_id("stMain")
    expect(main.locator(".samrisk-level").first).to_contain_text(LEVEL_IN_WORDS)
    # a child: social services (the step's check box carries the same words as its hidden name)
    expect(main.get_by_text("Gör en orosanmälan", exact=False).filter(visible=True).first).to_be_visible()
    child = main.get_by_test_id("stVerticalBlock").filter(  # everyone under 18 is a child, whatever the role
        has_text=re.compile(r"^Barn som far illa.* för v1 – utsatt, 16 år"),
        has=page.get_by_role("button", name="Starta"),
    )
    expect(child).to_have_count(1)
    assert_clean(page)

    child.get_by_role("button", name="Starta").click()
    expect(page.get_by_role("heading", name="Triage", exact=False)).to_be_visible()
    settle(page)
    expect(page.get_by_role("combobox", name="Checklista")).to_have_value(re.compile(r"^Barn som far illa"))
    expect(page.get_by_role("combobox", name="Bedömningen gäller")).to_have_value("v1 – utsatt, 16 år")
    answer_all(page, CHILD_TRIAGE)
    save_and_open_result(page)
    main = page.get_by_test_id("stMain")
    why = open_section(page, "Varför denna nivå")  # the assessments behind the level are folded under "why"
    for title in (CRIMINAL_NETWORKS, "Barn som far illa"):  # both assessments of the 16-year-old on the result
        expect(why.get_by_text(title, exact=False).first).to_be_visible()
    expect(main.locator("summary").filter(has_text="Checklistor som krävs")).to_have_count(0)  # nothing left required
    expect(main.get_by_role("heading", name="Checklistor som krävs")).to_have_count(0)
    assert_clean(page)


def test_conference_coordinator_adds_an_action_to_the_plan(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["coordinator"])
    choose(page, "Ärende", "DEMO-004 Ärendemöte")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Myndigheternas bedömningar sida vid sida")).to_be_visible()
    expect(main.get_by_role("heading", name="Handlingsplan")).to_be_visible()

    open_section(page, "Ta ett steg in i handlingsplanen")  # the form is drawn when its section is opened
    choose(page, "Steg", "Annan åtgärd")
    type_into(page, "Ansvarig person eller funktion", "Samordnare E2E")
    type_date(page, "Klart senast", "2027-01-15")
    page.get_by_role("button", name="Lägg till i planen").click()  # "another action" says nothing yet
    settle(page)
    expect(main.get_by_text("Skriv vad den andra åtgärden är.")).to_be_visible()
    expect(main.get_by_test_id("stHorizontalBlock").filter(has_text="Samordnare E2E")).to_have_count(0)
    expect(page.get_by_label("Ansvarig person eller funktion", exact=True)).to_have_value("Samordnare E2E")  # kept

    type_into(page, "Beskriv den andra åtgärden", "Kalla till uppföljande ärendemöte E2E")
    page.get_by_role("button", name="Lägg till i planen").click()
    settle(page)
    action = main.get_by_test_id("stHorizontalBlock").filter(has_text="Samordnare E2E").last  # the plan's row
    expect(action).to_contain_text("Kalla till uppföljande ärendemöte E2E")  # the other action is its own text
    expect(action).to_contain_text("Senast 2027-01-15")
    assert_clean(page)


def test_the_sign_in_page_readies_the_next_pages_unseen(page: Page, app_url: str) -> None:
    """The hidden elements of the sign-in page (ui/browser_warmup.py): not shown, nothing in them reachable by the
    keyboard; after sign-in, the result page's check boxes and links are drawn with it, never as grey placeholders
    (Streamlit's placeholder while a page's first element is on its way is another matter: not counted)."""
    page.goto(app_url)
    expect(page.get_by_label("Användarnamn", exact=True)).to_be_visible()
    box = page.locator(".st-key-samrisk-warmup")
    expect(box).to_have_count(1)
    expect(box).to_be_hidden()
    expect(box.get_by_test_id("stCheckbox")).to_have_count(1)  # drawn, so its code is ready
    for _ in range(12):  # the keyboard never lands in it
        page.keyboard.press("Tab")
        assert page.evaluate("() => !document.activeElement.closest('.st-key-samrisk-warmup')")
    skeletons = """() => {
      window.__skeletons = 0;
      const grey = (n) => n.nodeType === 1 && n.matches("[data-testid=stSkeleton], :has([data-testid=stSkeleton])");
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (grey(n)) window.__skeletons += 1;
      }).observe(document.body, {childList: true, subtree: true});
    }"""
    type_into(page, "Användarnamn", "polis")
    type_into(page, "Lösenord", PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    type_into(page, "Sök på ärendereferens", "DEMO-001")
    settle(page)
    page.evaluate(skeletons)  # from the case list on: the result page is the first with check boxes and links
    page.get_by_role("button", name="Öppna").first.click()
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stMain").get_by_test_id("stCheckbox").first).to_be_visible()
    assert page.evaluate("() => window.__skeletons") == 0
    expect(page.locator(".st-key-samrisk-warmup")).to_have_count(0)  # gone once signed in


def test_a_case_list_row_stacks_on_a_phone_and_not_on_a_desktop(page: Page, app_url: str) -> None:
    """ui/page_style.py: below 640 px a row's button goes under its text; wider, it stays beside it."""
    sign_in(page, app_url, "polis")
    row = page.locator("[class*='st-key-case-row-']").first
    text, button = row.get_by_test_id("stMarkdown"), row.get_by_role("button", name="Öppna")
    expect(button).to_be_visible()
    for width, stacked in ((390, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 844})
        settle(page)
        t, b = text.bounding_box(), button.bounding_box()
        assert t is not None and b is not None
        assert (b["y"] >= t["y"] + t["height"] - 1) is stacked, (width, t, b)
        assert (b["x"] >= t["x"] + t["width"] - 1) is not stacked, (width, t, b)

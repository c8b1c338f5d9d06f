"""Accessibility of every page, in Chromium: the page's language, names on every control (and no Markdown markup
read out in them), text alternatives for charts and images, colour contrast (WCAG 2.1 AA, by axe-core), and the
police short form completed with the keyboard alone.

axe-core comes bundled in the PyPI package axe-playwright-python (requirements-dev.txt); only its axe.min.js is
used, injected into the page. Without the package only the axe checks are left out, and test_axe_core_is_installed
is skipped with a message (failed in CI); the other checks read the browser's own accessibility tree.
Findings and fixes: docs/accessibility.md.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    ACCOUNTS,
    PASSWORD,
    add_person,
    answer_all,
    browser_missing,
    choose,
    new_case,
    open_app,
    save_and_open_result,
    settle,
    skip_or_fail,
)

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

from ui.components import FRONTEND_HELP, FRONTEND_NAMES

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CONTROLS = "button|link|textbox|searchbox|combobox|listbox|option|radio|checkbox|switch|slider|spinbutton|tab|menuitem"
UNNAMED = re.compile(rf"^\s*- ({CONTROLS})(?: \[[^\]]*\])*:?$", re.MULTILINE)  # a control line without "name"
MARKUP = re.compile(r"\*\*|__|\\[\\`*_\[\]<>#|~$:]")  # bold, or an escaped Markdown character
NAMED = re.compile(r"^\s*- '?[a-z]+ \"(.*)\"", re.MULTILINE)  # a line of the tree with a name
LANG = "() => document.documentElement.lang"  # what a screen reader reads the page as (all pages here: Swedish)
SHORT_FORM = [("tagit struptag", "ja"), ("hotat att döda dig", "nej")]
# Streamlit's own English names for its controls (ui/components.py names them in the page's language)
FRONTEND = "|".join(re.escape(n) for n in FRONTEND_NAMES)
ENGLISH_FRONTEND = re.compile(rf'^\s*- [a-z]+ "((?:{re.escape(FRONTEND_HELP)}.*)|(?:{FRONTEND}))"', re.MULTILINE)


def axe_script() -> str | None:
    """axe.min.js from the axe-playwright-python package, or None where the package is not installed."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or spec.origin is None:
        return None
    return (Path(spec.origin).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each with where; none where axe-core
    is not installed (test_axe_core_is_installed says so)."""
    script = axe_script()
    if script is None:
        return []
    page.evaluate(script)
    found: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['html'][:90]} {n.get('failureSummary', '')[-120:]!r}" for n in v["nodes"][:3])
        for v in found["violations"]
    ]


def unnamed_controls(page: Page) -> list[str]:
    """Controls without an accessible name, as the browser's accessibility tree has them (what a screen reader
    announces), with the line before each for where it is."""
    tree = page.locator("body").aria_snapshot()
    lines = tree.splitlines()
    where = {line: i for i, line in enumerate(lines)}
    return [
        f"{m.group(0).strip()} after {lines[max(where.get(m.group(0), 0) - 1, 0)].strip()!r}"
        for m in UNNAMED.finditer(tree)
    ]


def markup_in_names(page: Page) -> list[str]:
    """Accessible names with Markdown markup or escapes in them, which a screen reader reads out literally."""
    names = NAMED.findall(page.locator("body").aria_snapshot())
    return [name[:100] for name in names if MARKUP.search(name)]


def graphics_without_text(page: Page) -> list[str]:
    """Charts and images without a text alternative (a chart's `alt` becomes its aria-label)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'], [data-testid='stImage'] img, img")]
            .filter(e => e.offsetParent !== null)
            .filter(e => !(e.getAttribute('aria-label') || '').trim() && !(e.getAttribute('alt') || '').trim()
                         && e.getAttribute('role') !== 'presentation' && e.getAttribute('aria-hidden') !== 'true')
            .map(e => e.outerHTML.slice(0, 120))"""
    )
    return found


def check(page: Page, name: str) -> None:
    """Every check on the page as it is now; one message with everything found."""
    settle(page)
    page.wait_for_timeout(300)  # charts draw themselves after the run
    problems = [f"the page says its language is {lang!r}"] if (lang := page.evaluate(LANG)) != "sv" else []
    problems += [f"no name: {c}" for c in unnamed_controls(page)]
    problems += [f"Markdown in a name: {n}" for n in markup_in_names(page)]
    tree = page.locator("body").aria_snapshot()
    problems += [f"Streamlit's English name in the Swedish view: {n}" for n in ENGLISH_FRONTEND.findall(tree)]
    problems += [f"no text alternative: {g}" for g in graphics_without_text(page)]
    problems += [f"axe: {v}" for v in axe_violations(page)]
    assert not problems, f"{name}:\n" + "\n".join(problems)


def go(page: Page, title: str) -> None:
    """Open a page of the sidebar's navigation."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    settle(page)


def test_axe_core_is_installed() -> None:
    """Without axe-core the contrast and ARIA rules are not checked: skipped with a message here, failed in CI."""
    if axe_script() is None:
        why = "axe-core is missing (pip install -r requirements-dev.txt: axe-playwright-python)"
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)


# ---- every page --------------------------------------------------------------------------------------------------


def test_sign_in_page(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    check(page, "sign-in")


def test_cases_intake_and_result_pages(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["officer"])
    expect(page.get_by_role("heading", name="Ärenden")).to_be_visible()
    check(page, "cases")
    new_case(page, "A11Y-2026-1")
    check(page, "intake without people")
    add_person(page, "utsatt", 31)
    add_person(page, "misstänkt", 35)
    answer_all(page, SHORT_FORM)
    check(page, "intake with the short form")
    save_and_open_result(page)
    check(page, "result")
    # The assessments and their chart are in a section that opens on demand: open it, as a reader would, so the
    # chart's text alternative (and everything else in the section) is checked where it is seen.
    page.locator("summary", has_text="Varför denna nivå –").click()
    settle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    check(page, "result with the reasons open")


def test_conference_page(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["coordinator"])
    choose(page, "Ärende", "DEMO-004 Ärendemöte")
    expect(page.get_by_role("heading", name="Handlingsplan")).to_be_visible()
    check(page, "conference")
    page.locator("summary", has_text="Nivåer och åtgärder över tid").click()  # the timeline opens on demand
    settle(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    check(page, "conference with the timeline open")


def test_figures_page(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["supervisor"])
    expect(page.get_by_role("heading", name="Uppföljning")).to_be_visible()
    check(page, "figures")
    go(page, "Behovsanalys")
    expect(page.get_by_role("heading", name="Behovsanalys", exact=True)).to_be_visible()
    check(page, "needs")


def test_users_and_audit_pages(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["admin"])
    expect(page.get_by_role("heading", name="Användare").first).to_be_visible()
    check(page, "users")
    go(page, "Granskningslogg")
    expect(page.get_by_role("heading", name="Granskningslogg").first).to_be_visible()
    check(page, "audit")


# ---- keyboard only -----------------------------------------------------------------------------------------------

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {name: '', role: '', group: ''};
    const labelled = (e.getAttribute('aria-labelledby') || '').split(' ')
        .map(id => document.getElementById(id)).filter(Boolean).map(x => x.innerText).join(' ');
    const name = e.getAttribute('aria-label') || labelled || (e.labels && e.labels[0] && e.labels[0].innerText)
        || e.innerText || e.value || '';
    const group = e.closest("[data-testid='stRadio']");
    return {name: name.trim(), role: e.getAttribute('role') || e.getAttribute('type') || e.tagName.toLowerCase(),
            group: group ? group.innerText : ''};
}"""


def focused(page: Page) -> dict[str, str]:
    found: dict[str, str] = page.evaluate(FOCUSED)
    return found


def tab_to(page: Page, wanted: Callable[[dict[str, str]], bool], what: str, limit: int = 120) -> None:
    """Press Tab until the focus is on what is wanted, as a keyboard user moves through the page, seeing where the
    focus is; fails when it cannot be reached within `limit` presses."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return
        seen.append(f"{now['role']}:{now['name'][:30]}")
    raise AssertionError(f"Tab never reached {what}; the focus went through {seen}")


def named(name: str) -> Callable[[dict[str, str]], bool]:
    return lambda f: f["name"] == name


def radio_of(question: str) -> Callable[[dict[str, str]], bool]:
    return lambda f: f["role"] == "radio" and question in f["group"]


def press(page: Page, *keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)
    settle(page)


def test_police_short_form_with_the_keyboard_alone(page: Page, app_url: str) -> None:
    """Sign in, start a case, register the victim and the suspect, answer the short form and save, with Tab,
    Shift+Tab, Space, Enter and arrow keys (and typing into text fields): never the mouse."""
    open_app(page, app_url)
    tab_to(page, named("Användarnamn"), "the user name field")
    page.keyboard.type(ACCOUNTS["officer"])
    press(page, "Tab")
    page.keyboard.type(PASSWORD)
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Ärenden")).to_be_visible()
    settle(page)

    tab_to(page, named("Nytt ärende"), "the new-case button")
    press(page, "Enter")
    expect(page.get_by_role("button", name="Skapa ärende")).to_be_visible()
    tab_to(page, named("Ärendereferens"), "the reference field")
    page.keyboard.type("A11Y-TANGENTBORD-1")
    tab_to(page, named("Skapa ärende"), "the create button")
    press(page, "Enter")
    expect(page.get_by_text("A11Y-TANGENTBORD-1 · Polisens ärendemottagning")).to_be_visible()

    for downs, role, age in [(0, "utsatt", "31"), (1, "misstänkt", "35")]:
        tab_to(page, named("Roll"), "the role select box")
        press(page, "Enter", *["ArrowDown"] * downs, "Enter")
        expect(page.get_by_role("combobox", name="Roll")).to_have_value(role)
        tab_to(page, named("Ålder (år)"), "the age field")
        page.keyboard.type(age)
        tab_to(page, named("Lägg till"), "the add-person button")
        press(page, "Enter")
        expect(page.get_by_test_id("stMain").get_by_text(re.compile(rf"– {role}, {age} år$"))).to_be_visible()

    for question, word in SHORT_FORM:
        tab_to(page, radio_of(question), f"the answers to {question!r}")
        item = page.get_by_test_id("stRadio").filter(has_text=question)
        press(page, "Space")  # the first answer, "ja"; the arrow keys move to the others
        for _ in range(["ja", "nej", "vet ej"].index(word)):
            press(page, "ArrowRight")
        expect(item.get_by_role("radio", name=word, exact=True)).to_be_checked()

    tab_to(page, named("Spara bedömning och visa resultat"), "the save button")
    press(page, "Enter")
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMain").locator(".samrisk-level").first).to_contain_text("Samlad risknivå")


# ---- the pages and sections added since: every section drawn when opened, every view -----------------------------


def open_section(page: Page, title: str) -> None:
    """Open the main area's section (st.expander) whose title starts with `title`, as a reader clicks it."""
    summary = page.get_by_test_id("stMain").locator("summary").filter(has_text=title)
    expect(summary).to_have_count(1)
    section = summary.locator("xpath=..")
    for _ in range(3):  # a rerun still drawing (two busy cores) can swallow the click, and a person clicks again
        settle(page)
        if section.get_attribute("open") is not None:
            break
        summary.click()
        settle(page)
        if section.get_attribute("open") is not None:
            break
    expect(section).to_have_attribute("open", "")
    settle(page)


def view(page: Page, name: str) -> None:
    """Choose a view of a page (a segmented control's button)."""
    page.get_by_test_id("stMain").get_by_test_id("stButtonGroup").get_by_text(name, exact=True).click()
    settle(page)


def test_result_with_every_section_open_and_the_safety_plan_form(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["officer"])
    page.get_by_role("button", name="Öppna").first.click()
    settle(page)
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    for title in ("Alla steg, alla myndigheter", "Sammanfattning för utskrift", "Säkerhetsplaner"):
        open_section(page, title)
    check(page, "result with the steps, the print summary and the safety plans open")
    page.get_by_role("button", name="Gör en säkerhetsplan").first.click()
    settle(page)
    expect(page.get_by_role("button", name="Spara som en ny version")).to_be_visible()
    check(page, "the safety plan form")


def test_conference_workflows(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["officer"])
    go(page, "Ärendemöte")
    choose(page, "Ärende", "DEMO-001 Våld i lägenhet")  # no case is shown before one is chosen
    expect(page.get_by_role("heading", name="Handlingsplan")).to_be_visible()
    for title in (
        "Samtycken till att dela uppgifter",
        "Organisationer som deltar i ärendet",
        "Personer registrerade i ärendet",
        "Exportera ärendet",
    ):
        open_section(page, title)
    check(page, "conference with consents, organisations, persons and the export open")


def test_guidance_and_law_pages(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["officer"])
    go(page, "Kunskapsstöd")
    expect(page.get_by_role("heading", name="Kunskapsstöd", exact=True)).to_be_visible()
    check(page, "guidance")
    go(page, "Får jag berätta?")
    expect(page.get_by_role("heading", name="Får jag berätta?", exact=True)).to_be_visible()
    check(page, "law: ask")
    view(page, "Lagen per situation")
    check(page, "law: the law by situation")


def test_training_page_every_view(signed_in: Callable[[str], Page]) -> None:
    page = signed_in(ACCOUNTS["officer"])
    go(page, "Övning")
    expect(page.get_by_role("heading", name="Övning", exact=True)).to_be_visible()
    check(page, "training: practice")
    choose(page, "Övningsfall", "Larm om bråk i lägenhet, två barn hemma (Polisens ärendemottagning)")
    expect(page.get_by_text("Syntetiskt övningsfall")).to_be_visible()
    check(page, "training: a practice case")
    view(page, "Mina resultat")
    check(page, "training: my results")
    trainer = signed_in(ACCOUNTS["supervisor"])
    go(trainer, "Övning")
    view(trainer, "Utbildarvy")
    check(trainer, "training: the trainer's view")


def test_streamlits_own_control_names_follow_the_language(signed_in: Callable[[str], Page]) -> None:
    """Help buttons, number fields, select boxes and heading links are named in the page's language, and again
    after switching the language there and back."""
    page = signed_in(ACCOUNTS["officer"])
    new_case(page, "A11Y-NAMES-1")
    add_person(page, "utsatt", 31)
    main = page.get_by_test_id("stMain")
    for name in ("Öka", "Minska"):
        expect(main.get_by_role("button", name=name, exact=True).first).to_be_attached()
    expect(main.get_by_role("button", name=re.compile(r"^Hjälp för ")).first).to_be_attached()
    assert not ENGLISH_FRONTEND.findall(page.locator("body").aria_snapshot())

    page.get_by_test_id("stSidebar").get_by_test_id("stButtonGroup").get_by_text("English", exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name="Intake", exact=True)).to_be_visible()
    expect(main.get_by_role("button", name=re.compile(r"^Help for ")).first).to_be_attached()
    expect(main.get_by_role("button", name="Increment", exact=True).first).to_be_attached()
    assert "Hjälp för" not in page.locator("body").aria_snapshot()

    page.get_by_test_id("stSidebar").get_by_test_id("stButtonGroup").get_by_text("Svenska", exact=True).click()
    settle(page)
    expect(page.get_by_role("heading", name="Intag", exact=True)).to_be_visible()
    expect(main.get_by_role("button", name=re.compile(r"^Hjälp för ")).first).to_be_attached()
    assert not ENGLISH_FRONTEND.findall(page.locator("body").aria_snapshot())

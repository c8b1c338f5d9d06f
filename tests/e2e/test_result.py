"""End to end, in Chromium: the result leads with what to do now. On a tablet a police officer sees the level and
the immediate steps without scrolling; a changed level is seen at the top with its reason; Markdown typed into a
case reference or a reason is shown as the characters typed, never as an image, a link or colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import assert_clean, browser_missing, settle, sign_in, skip_or_fail, type_into

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Locator, Page, expect  # after the check: without the package the module is skipped

EVIL = "![x](http://e/x.png) [link](http://e) :red[x] <img src=x> **b**"
TABLETS = [(1024, 768), (820, 1180)]


def open_result(page: Page, url: str, reference: str) -> None:
    """From the cases page: search the reference, open the case (an officer lands on the result) and wait until its
    steps are drawn."""
    type_into(page, "Sök på ärendereferens", reference)
    page.get_by_role("button", name="Öppna").first.click()
    settle(page)
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    settle(page)
    # the steps' check boxes as a person sees them: the first check box in a browser session shows as a grey
    # placeholder until Streamlit has loaded the widget's code (seconds on a busy machine); the script is done then
    expect(page.get_by_test_id("stMain").get_by_test_id("stCheckbox").first.locator("input")).to_be_attached()


def main_has_no_markup(page: Page) -> None:
    """Nothing a user typed became an image, a link or coloured text in the page's own content."""
    main = page.get_by_test_id("stMain")
    expect(main.locator("[data-testid='stMarkdownContainer'] img")).to_have_count(0)
    expect(main.locator("[data-testid='stMarkdownContainer'] a[href^='http://e']")).to_have_count(0)
    expect(main.locator("[data-testid='stMarkdownContainer'] strong", has_text=re.compile(r"^b$"))).to_have_count(0)
    expect(
        main.locator("[data-testid='stMarkdownContainer'] span[style*='red']", has_text=re.compile(r"^x$"))
    ).to_have_count(0)


def steps_to_tick(page: Page) -> Locator:
    """The check boxes of the user's own steps not yet done (one line per step at the top of the result)."""
    return page.get_by_test_id("stMain").locator("[data-testid='stCheckbox'] input:not(:checked):not(:disabled)")


@pytest.mark.parametrize(("width", "height"), TABLETS)
def test_on_a_tablet_the_level_and_the_immediate_steps_need_no_scrolling(
    page: Page, app_url: str, tmp_path: Path, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, app_url, "polis")
    open_result(page, app_url, "DEMO-001")
    assert_clean(page)
    level = page.locator(".samrisk-level").first
    heading = page.get_by_role("heading", name="Innan du lämnar platsen")
    same_day = page.get_by_role("heading", name="Samma dag")
    expect(level).to_be_visible()
    expect(heading).to_be_visible()
    page.screenshot(path=str(tmp_path / f"result-{width}x{height}.png"))  # looked at by hand, not committed
    main = page.get_by_test_id("stMain")
    steps = main.get_by_test_id("stCheckbox")
    first, until = heading.bounding_box(), same_day.bounding_box()
    assert first is not None and until is not None
    boxes = [b for b in (steps.nth(i).bounding_box() for i in range(steps.count())) if b]
    immediate = [b for b in boxes if first["y"] < b["y"] < until["y"]]
    assert len(immediate) >= 2, boxes  # DEMO-001: a concern report, a crime report, protect the victim
    level_box = level.bounding_box()
    assert level_box is not None and level_box["y"] >= 0
    for box in [level_box, first, *immediate]:
        assert box["y"] + box["height"] <= height, (box, height)  # on the first screen, no scrolling


def test_ticking_a_step_done_is_stored_and_kept_after_a_reload(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    open_result(page, app_url, "DEMO-001")
    expect(page.get_by_role("heading", name="Innan du lämnar platsen")).to_be_visible()
    before = steps_to_tick(page).count()
    assert before >= 1
    unticked = page.locator("input:not(:checked):not(:disabled)")
    line = page.get_by_test_id("stMain").get_by_test_id("stCheckbox").filter(has=unticked).first
    line.locator("label").first.click()  # the box, as a finger would
    settle(page)
    expect(page.get_by_text("Steget är markerat som gjort i handlingsplanen.")).to_be_visible()
    expect(steps_to_tick(page)).to_have_count(before - 1)
    page.reload()
    settle(page)
    if page.get_by_role("button", name="Logga in").count():  # without a kept session: sign in again
        sign_in(page, app_url, "polis")
    else:  # signed in still (the session cookie), but which case is open is not kept: open it again
        page.get_by_role("link", name="Ärenden").click()
        settle(page)
    open_result(page, app_url, "DEMO-001")
    expect(steps_to_tick(page)).to_have_count(before - 1)
    assert_clean(page)


def open_details(page: Page, title: str) -> None:
    """Open the first section (an expander, <details>) whose title starts with `title`, as a person would: click its
    title, and again if a late redraw of the page (a chart loading) closed it before it was seen open."""
    section = page.locator("summary", has_text=title).first.locator("xpath=ancestor::details[1]")  # its own section
    for _ in range(3):
        if section.get_attribute("open") is None:
            section.locator("summary").first.click()
            settle(page)
        try:
            expect(section).to_have_attribute("open", "", timeout=10_000)
            return
        except AssertionError:
            continue
    expect(section).to_have_attribute("open", "")


def test_an_override_is_seen_at_the_top_and_typed_markdown_stays_text(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    # a new case whose reference is full of Markdown and HTML
    page.get_by_role("button", name="Nytt ärende").click()
    settle(page)
    type_into(page, "Ärendereferens", EVIL)
    page.get_by_role("button", name="Skapa ärende").click()
    settle(page)
    expect(page.get_by_text(EVIL, exact=False).first).to_be_visible()
    main_has_no_markup(page)
    page.get_by_role("link", name="Ärenden").click()
    settle(page)
    type_into(page, "Sök på ärendereferens", "link")
    expect(page.get_by_test_id("stMain").get_by_text(EVIL).first).to_be_visible()
    main_has_no_markup(page)

    # a changed level on DEMO-001, with a reason full of Markdown: seen at the top, as typed
    page.get_by_label("Sök på ärendereferens").fill("")
    open_result(page, app_url, "DEMO-001")
    open_details(page, "Varför denna nivå –")
    open_details(page, "Ändra nivån")
    level_box = page.get_by_role("combobox", name="Ny nivå", exact=True).first
    expect(level_box).to_be_visible()
    level_box.scroll_into_view_if_needed()
    # the chart above draws once its code has loaded and then moves the form, which closes an open list
    expect(page.get_by_test_id("stPlotlyChart").first.locator("svg").first).to_be_visible()
    wanted = page.get_by_role("option", name="hög", exact=True)
    for _ in range(3):  # as a person would: open the list again if it closed before the level could be picked
        level_box.click()
        level_box.fill("hög")  # typed to filter: a click alone does not always open the list
        try:
            expect(wanted).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            continue
    wanted.click()
    expect(level_box).to_have_value("hög")
    settle(page)
    page.get_by_label("Skäl till ändringen (krävs)").first.fill(EVIL)
    page.get_by_role("button", name="Spara ändrad nivå").first.click()
    settle(page)
    expect(page.get_by_text("Den ändrade nivån är sparad", exact=False)).to_be_visible()
    page.locator("summary", has_text="Varför denna nivå –").click()  # closed again: what remains is the first screen
    settle(page)
    top = page.get_by_test_id("stMain")
    changed = top.locator(".samrisk-level", has_text="Hög").first
    computed = top.locator("[aria-label^='Beräknad nivå']").first
    expect(changed).to_be_visible()
    expect(computed).to_be_visible()
    expect(top.get_by_text(f"Skäl till ändringen: {EVIL}").first).to_be_visible()
    main_has_no_markup(page)
    first_step = page.get_by_role("heading", name="Innan du lämnar platsen").bounding_box()
    reason = top.get_by_text(f"Skäl till ändringen: {EVIL}").first.bounding_box()
    assert first_step is not None and reason is not None and reason["y"] < first_step["y"]
    assert_clean(page)

"""End to end, in Chromium: follow-up over time. A police officer saves an assessment, sees when to reassess,
starts a reassessment from the result page, finds the previous answers filled in, changes two, saves, and the
result shows what changed; the case list shows the next reassessment."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.e2e.conftest import (
    add_person,
    answer,
    assert_clean,
    browser_missing,
    new_case,
    open_form_sections,
    save_and_open_result,
    settle,
    sign_in,
    skip_or_fail,
)

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

STRANGULATION, SEPARATED, STALKING = "tagit struptag", "Har du separerat", "Förföljer, övervakar"
NEXT = re.compile(r"(Nästa bedömning|Dags för ny bedömning) (\d{4}-\d{2}-\d{2})")


def shown_date(text: str) -> date:
    found = NEXT.search(text)
    assert found, text
    return date.fromisoformat(found.group(2))


def checked(page: Page, question: str, word: str) -> None:
    item = page.get_by_test_id("stRadio").filter(has_text=question)
    if item.count() == 0:  # its section is closed: open the form's sections, as a person does to look
        open_form_sections(page)
    expect(item.get_by_role("radio", name=word, exact=True)).to_be_checked()


def open_section(page: Page, title: str) -> None:
    """Open the section (an expander) whose title starts with `title`, again if a late redraw closed it."""
    section = page.locator("summary", has_text=title).first.locator("xpath=ancestor::details[1]")
    for _ in range(3):
        if section.get_attribute("open") is None:
            section.locator("summary").first.click()
            settle(page)
    expect(section).to_have_attribute("open", "")


def test_a_reassessment_starts_from_the_previous_answers_and_shows_what_changed(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    new_case(page, "E2E-REASSESS")
    add_person(page, "utsatt", 31)
    add_person(page, "misstänkt", 35)
    answer(page, STRANGULATION, "nej")
    answer(page, SEPARATED, "ja")
    answer(page, STALKING, "nej")
    save_and_open_result(page)
    main = page.get_by_test_id("stMain")

    open_section(page, "Uppföljning: nästa bedömning")
    expect(main.get_by_text("Förslag:", exact=False)).to_be_visible()
    next_line = main.get_by_text(NEXT)
    expect(next_line).to_be_visible()
    first_date = shown_date(next_line.inner_text())
    assert date.today() < first_date <= date.today() + timedelta(days=90)
    assert_clean(page)

    page.get_by_role("button", name="Gör en ny bedömning (utgår från dessa svar)").click()
    expect(page.get_by_role("heading", name="Intag", exact=True)).to_be_visible()
    settle(page)
    expect(main.get_by_text("Du utgår från den senast sparade versionen (1)", exact=False)).to_be_visible()
    checked(page, STRANGULATION, "nej")  # the previous answers are there
    checked(page, SEPARATED, "ja")
    checked(page, STALKING, "nej")
    answer(page, STRANGULATION, "ja")  # two changed
    answer(page, SEPARATED, "nej")
    save_and_open_result(page)

    changed = main.locator("details", has_text="Uppföljning: vad som ändrats och nästa bedömning")
    expect(changed).to_have_attribute("open", "")  # open by itself: something changed
    expect(changed.get_by_text("Vad som ändrats från version 1 till version 2")).to_be_visible()
    expect(changed.get_by_text(re.compile(r"^Nivån höjd: låg → "))).to_be_visible()
    expect(changed.get_by_text(re.compile(r"Nytt kritiskt svar: .*struptag"))).to_be_visible()
    expect(changed.get_by_text(re.compile(r"struptag.*: nej → ja"))).to_be_visible()
    expect(changed.get_by_text(re.compile(r"separerat.*: ja → nej"))).to_be_visible()
    second_date = shown_date(changed.get_by_text(NEXT).inner_text())
    assert date.today() < second_date <= first_date  # a higher level: never later
    assert_clean(page)

    page.get_by_test_id("stSidebarNav").get_by_text("Ärenden", exact=True).click()
    settle(page)
    due = page.get_by_text(re.compile(rf"(Nästa bedömning|Dags för ny bedömning) {second_date.isoformat()}"))
    rows = main.get_by_test_id("stHorizontalBlock")  # a case-list row is one bordered horizontal block
    row = rows.filter(has_text="E2E-REASSESS").filter(has=due).last
    expect(row).to_be_visible()
    expect(row.get_by_text(NEXT)).to_have_count(1)
    assert_clean(page)

"""End to end, in Chromium: an emergency-department nurse opens the law navigator from a step on the result, reads
the answer for this case, goes back, writes the victim's safety plan with her, and opens the print view she takes
home (issue 10). Screenshots go to the temporary folder (docs/screenshots/ with --screenshots)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import (
    assert_clean,
    browser_missing,
    click_until,
    screenshot,
    settle,
    sign_in,
    skip_or_fail,
    type_into,
)

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Locator, Page, expect  # after the check: without the package the module is skipped

PATIENCE_MS = 120_000  # a shared, loaded machine can take long over the first run of a session


def open_result(page: Page, reference: str) -> None:
    type_into(page, "Sök på ärendereferens", reference)
    page.get_by_role("button", name="Öppna").first.click()
    settle(page)
    expect(page.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    settle(page)


def open_section(page: Page, title: str) -> Locator:
    section = (
        page.get_by_test_id("stMain")
        .get_by_test_id("stExpander")
        .filter(has=page.locator("summary").filter(has_text=title))
    )
    expect(section).to_have_count(1)
    section.locator("summary").first.click()
    expect(section.locator("details").first).to_have_attribute("open", "")
    settle(page)
    return section


def test_a_nurse_asks_may_i_tell_from_a_step_then_writes_and_prints_a_safety_plan(
    page: Page, app_url: str, tmp_path: Path, screenshot_folder: Path
) -> None:
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, app_url, "vard")
    open_result(page, "DEMO-003")  # a 17-year-old with a gunshot wound, threatened by a criminal network
    main = page.get_by_test_id("stMain")

    # One click from a step of the result to the navigator, pre-filled for this case.
    link = main.get_by_role("link", name="Får jag berätta? Lagen för det här ärendet").first
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    link.click()
    settle(page)
    expect(main.get_by_role("heading", name="Får jag berätta?", exact=True)).to_be_visible()
    assert "agency=healthcare" in page.url and "age=17" in page.url and "context=emergency_department" in page.url
    expect(page.get_by_label("Ålder (lämna tomt om den inte är känd)", exact=True)).to_have_value("17")
    expect(main.get_by_role("heading", name="Du måste")).to_be_visible()  # the answer: must, may, may not
    expect(main.get_by_text("De här värdena i länken är okända", exact=False)).to_have_count(
        0
    )  # every value of the link was used
    assert_clean(page)
    screenshot(page, "safety_navigator_from_step.png")

    # Back to the result, and the safety plan the result offers for the person exposed.
    page.go_back()
    settle(page)
    expect(main.get_by_role("heading", name="Resultat", exact=True)).to_be_visible()
    plans = open_section(page, "Säkerhetsplaner")
    expect(plans.get_by_text("Ingen plan sparad ännu.")).to_be_visible()
    priorities = plans.get_by_label("1. Det viktigaste för mig just nu", exact=True)
    click_until(page, plans.get_by_role("button", name="Gör en säkerhetsplan"), priorities)
    priorities.fill("Att min lillebror är trygg. <script>alert(1)</script>")
    plans.get_by_label("4. Kodord", exact=True).fill("Pizza: ring 112")
    plans.get_by_label("6. Säker väg ut och säkra platser", exact=True).fill("Genom källaren till mormor")
    plans.get_by_role("button", name="Spara som en ny version").click()
    settle(page)
    expect(main.get_by_text("Säkerhetsplanen är sparad som version 1.")).to_be_visible()
    plans = open_section(page, "Säkerhetsplaner") if not _is_open(page) else _plans(page)
    expect(plans.get_by_text("Version 1, sparad", exact=False)).to_be_visible()
    assert_clean(page)
    screenshot(page, "safety_plan_saved.png")

    # The print view: the file the download button gives, opened as the person's browser would open it.
    with page.expect_download() as got:
        plans.get_by_role("button", name="Utskrift för personen (HTML)").first.click()
    printed = tmp_path / got.value.suggested_filename
    got.value.save_as(printed)
    assert printed.name == "safety-plan-victim-v1-sv.html"
    html = printed.read_text(encoding="utf-8")
    assert "&lt;script&gt;" in html and "<script>" not in html  # what she said, as text
    for absent in ("DEMO-003", "y1", "Risknivå", "Mycket hög", "kriminellt nätverk"):
        assert absent not in html, absent
    view = page.context.new_page()
    view.goto(printed.as_uri())
    expect(view.get_by_role("heading", name="Min säkerhetsplan", exact=True)).to_be_visible()
    expect(view.get_by_text("Förvara planen säkert.")).to_be_visible()
    expect(view.get_by_text("Pizza: ring 112")).to_be_visible()
    view.emulate_media(media="print")
    shot = screenshot_folder / "safety_plan_print.png"
    view.screenshot(path=str(shot), full_page=True)
    print(f"print view: {shot}")
    view.close()


def _plans(page: Page) -> Locator:
    return (
        page.get_by_test_id("stMain")
        .get_by_test_id("stExpander")
        .filter(has=page.locator("summary").filter(has_text="Säkerhetsplaner"))
    )


def _is_open(page: Page) -> bool:
    return _plans(page).locator("details[open]").count() > 0

"""End to end, in Chromium: a step on the result opens its guidance in one click; a help link works signed out."""

from __future__ import annotations

import os

from tests.e2e.conftest import assert_clean, browser_missing, settle, sign_in, skip_or_fail, type_into

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

SHOTS = os.environ.get("SAMRISK_GUIDANCE_SHOTS")  # a folder for screenshots to look at; none by default
PATIENCE_MS = 120_000  # a shared, loaded machine can take long over the first run of a session


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}")


def test_a_step_on_the_result_opens_its_guidance_in_one_click(page: Page, app_url: str) -> None:
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, app_url, "polis")
    type_into(page, "Sök på ärendereferens", "DEMO-001")
    page.get_by_role("button", name="Öppna").first.click()
    settle(page)
    main = page.get_by_test_id("stMain")
    link = main.get_by_role("link", name="Vägledning: Säkerhetsplan för den som utsatts för våld").first
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    shot(page, "result_links.png")
    link.click()
    settle(page)
    expect(main.get_by_role("heading", name="Kunskapsstöd", exact=True)).to_be_visible()
    expect(main.get_by_text("Öppnad vägledning")).to_be_visible()
    expect(main.get_by_role("heading", name="Säkerhetsplan för den som utsatts för våld")).to_be_visible()
    assert "entry=safety.victim_plan" in page.url
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()  # still signed in
    assert_clean(page)
    shot(page, "guidance_entry.png")


def test_a_help_link_opens_the_entry_without_an_account(page: Page, app_url: str) -> None:
    page.set_default_timeout(PATIENCE_MS)
    page.goto(f"{app_url.rstrip('/')}/guidance?entry=care.strangulation")
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Efter strypning", exact=True)).to_be_visible()
    expect(main.get_by_text("Ska bekräftas:", exact=False).first).to_be_visible()
    main.get_by_label("Sök i kunskapsstödet").fill("rättsintyg")
    main.get_by_label("Sök i kunskapsstödet").press("Enter")
    settle(page)
    expect(main.get_by_text("Träffar:", exact=False)).to_be_visible()
    assert_clean(page)
    shot(page, "guidance_signed_out.png")


def test_an_item_help_opens_its_guidance_in_a_new_tab_and_the_form_stays(page: Page, app_url: str) -> None:
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, app_url, "vard")
    type_into(page, "Sök på ärendereferens", "DEMO-002")
    page.get_by_role("button", name="Öppna").first.click()
    settle(page)
    page.get_by_role("link", name="Triage").click()
    settle(page)
    item = page.get_by_test_id("stRadio").filter(has_text="struptag").first
    item.scroll_into_view_if_needed()
    item.get_by_test_id("stTooltipHoverTarget").first.hover()
    link = page.get_by_role("link", name="Efter strypning")
    expect(link).to_be_visible()
    shot(page, "item_help.png")
    with page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.set_default_timeout(PATIENCE_MS)
    settle(tab)
    expect(tab.get_by_test_id("stMain").get_by_role("heading", name="Efter strypning", exact=True)).to_be_visible()
    assert "guidance?entry=care.strangulation" in tab.url
    assert page.url.endswith("/intake")  # the form is still where it was, in its own tab
    assert_clean(tab)

"""End to end, in Chromium: an emergency-department nurse asks "May I tell?" about a strangled patient, and reads the
law overview for the situation."""

from __future__ import annotations

import os
from pathlib import Path

from tests.e2e.conftest import assert_clean, browser_missing, settle, sign_in, skip_or_fail, type_into

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

SHOTS = os.environ.get("SAMRISK_NAVIGATOR_SHOTS")  # a folder to write pictures to, for looking at them


def shot(page: Page, name: str) -> None:
    if SHOTS:  # Streamlit scrolls inside its own container: a tall window shows the whole page
        before = page.viewport_size
        page.set_viewport_size({"width": 1280, "height": 2600})
        settle(page)
        page.screenshot(path=str(Path(SHOTS) / name))
        if before is not None:
            page.set_viewport_size(before)
        settle(page)


def test_a_nurse_learns_she_may_tell_the_police_after_strangulation(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "vard")
    page.get_by_role("link", name="Får jag berätta?").click()
    expect(page.get_by_role("heading", name="Får jag berätta?")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Välj vad som har hänt eller kan hända")).to_be_visible()

    type_into(page, "Ålder (lämna tomt om den inte är känd)", "38")
    situations = page.get_by_role("combobox", name="Situationer", exact=True)
    situations.click()
    page.get_by_role("option", name="Våld i nära relation, skada nu", exact=True).click()
    settle(page)
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_text("Lämna inte uppgifter till polisen utan samtycke från den utsatta.")).to_be_visible()
    shot(page, "navigator_bruises.png")

    situations.click()
    page.get_by_role("option", name="Strypvåld", exact=True).click()
    settle(page)
    page.keyboard.press("Escape")
    settle(page)
    expect(page.get_by_text("Får lämna uppgifter till polisen om misstanke om ett begånget brott")).to_be_visible()
    expect(page.get_by_text("Lämna inte uppgifter till polisen utan samtycke från den utsatta.")).to_have_count(0)
    expect(page.get_by_text("lagrum ej verifierat").first).to_be_visible()
    assert_clean(page)
    shot(page, "navigator_strangulation.png")

    page.get_by_text("Lagen per situation", exact=True).click()
    settle(page)
    box = page.get_by_role("combobox", name="Situation", exact=True)
    box.click()
    page.get_by_role("option", name="Strypvåld", exact=True).click()
    settle(page)
    expect(page.get_by_text("Misstänkt begånget allvarligt brott").first).to_be_visible()
    assert_clean(page)
    shot(page, "navigator_overview.png")

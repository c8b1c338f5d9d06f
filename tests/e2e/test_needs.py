"""End to end, in Chromium: a supervisor opens the needs analysis and follows a unit's link to the training page."""

from __future__ import annotations

from tests.e2e.conftest import assert_clean, browser_missing, settle, sign_in, skip_or_fail

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

PATIENCE_MS = 120_000  # a shared, loaded machine can take long over the first run of a session


def test_a_supervisor_sees_the_needs_analysis(page: Page, app_url: str) -> None:
    page.set_default_timeout(PATIENCE_MS)
    sign_in(page, app_url, "chef")
    page.get_by_role("link", name="Behovsanalys").click()
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Behovsanalys", exact=True)).to_be_visible()
    for heading in (
        "Vad varje enhet oftast lämnar okänt",
        "Frågor som oftast besvaras med vet ej",
        "Ändrade nivåer",
        "Omedelbara åtgärder som inte markerats som gjorda",
        "Tid för att fylla i ett kortformulär",
    ):
        expect(main.get_by_role("heading", name=heading)).to_be_visible()
    link = main.get_by_role("link", name="Tilldela Polisen övningsfall om dessa frågor")
    expect(link).to_be_visible()
    href = link.get_attribute("href") or ""
    assert "training?unit=police&focus=dv." in href, href
    expect(main.get_by_test_id("stDataFrame").first).to_be_visible()
    assert_clean(page)
    # The link opens the training page in a new tab; here in the same one: the trainer view, focused on the items
    page.goto(f"{app_url.rstrip('/')}/{href}")
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Övning", exact=True)).to_be_visible()
    expect(main.get_by_text("Behovsanalysen pekar på:", exact=False)).to_be_visible()
    assert_clean(page)

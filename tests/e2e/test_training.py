"""End to end, in Chromium: a police officer works a synthetic practice case on the training page — asks, hears
what the person says, records the answers on the real form, decides sharing and steps — and sees the feedback."""

from __future__ import annotations

from tests.e2e.conftest import answer, assert_clean, browser_missing, choose, settle, sign_in, skip_or_fail

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

from risk.checklists import default_checklists

STRANGLE = default_checklists()["domestic_violence"].items["dv.strangulation"].text("sv")
WEAPON = default_checklists()["domestic_violence"].items["dv.weapon_access"].text("sv")


def test_a_trainee_completes_a_practice_case_and_sees_feedback(page: Page, app_url: str) -> None:
    sign_in(page, app_url, "polis")
    page.get_by_role("link", name="Övning").click()
    expect(page.get_by_role("heading", name="Övning", exact=True)).to_be_visible()
    settle(page)
    choose(page, "Övningsfall", "Larm om bråk i lägenhet, två barn hemma (Polisens ärendemottagning)")
    expect(page.get_by_text("Syntetiskt övningsfall")).to_be_visible()

    page.get_by_role("button", name=f"Fråga: {STRANGLE}").click()
    settle(page)
    expect(page.get_by_text("Han tog mig om halsen och tryckte till")).to_be_visible()
    answer(page, STRANGLE, "ja")
    page.get_by_role("button", name=f"Fråga: {WEAPON}").click()
    settle(page)
    expect(page.get_by_text("Jag vet inte. Hans bror jagar, kanske.")).to_be_visible()
    answer(page, WEAPON, "vet ej")

    choose(
        page,
        "Uppgiftslämnande till annan myndighet",
        "Anmälningsskyldighet om barn som far illa (Anmälningsskyldighet om barn som far illa "
        "(tidigare 14 kap. 1 § SoL 2001:453))",
    )
    page.get_by_role("button", name="Avsluta och se återkoppling").click()
    expect(page.get_by_role("heading", name="Återkoppling punkt för punkt")).to_be_visible()
    settle(page)
    expect(page.get_by_text("Ditt beslut om uppgiftslämnande är lagligt och rätt här")).to_be_visible()
    expect(page.get_by_text("Du missade en åtgärd som inte får missas").first).to_be_visible()
    expect(page.get_by_text("Du frågade och fyllde i:").first).to_be_visible()
    assert_clean(page)

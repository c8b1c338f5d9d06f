"""The case list: search by reference, pages of 20 in the database, open a case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from risk.storage import Store
from tests.app.helpers import PASSWORD, button, click, signed_in, title
from tests.ui.helpers import page_text
from ui.i18n import t

EXTRA = 25  # with the three demo cases of the police: 28, two pages


@pytest.fixture
def many_cases(database: str) -> Iterator[None]:
    store = Store.open(database)
    polis = store.authenticate("polis", PASSWORD)
    for n in range(1, EXTRA + 1):
        store.create_case(polis, reference=f"K-2026-{n:04d}", context="police_intake")
    store.close()
    yield


def references(at: AppTest) -> list[str]:
    return [
        str(m.value).split("**")[1]
        for m in at.main.markdown
        if str(m.value).startswith("**") and "  \n" in str(m.value) and "·" in str(m.value)
    ]


def count(at: AppTest) -> str:
    return next(str(c.value) for c in at.main.caption if "ärenden · sida" in str(c.value))


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="cases.search").input(text)
    at.run()
    return at


def test_search_filters_by_reference() -> None:
    at = signed_in("polis")
    assert title(at) == "Ärenden"
    # the hand-written demo cases first (newest), then the police's 48 generated ones (data/demo_generated.json)
    assert references(at)[:3] == ["DEMO-004 Ärendemöte", "DEMO-003 Skottskada 17 år", "DEMO-001 Våld i lägenhet"]
    assert count(at) == "51 ärenden · sida 1 av 6"
    assert references(search(at, "lägenhet")) == ["DEMO-001 Våld i lägenhet"]  # any part of the reference
    assert count(at) == "1 ärenden · sida 1 av 1"
    assert references(search(at, "DEMO-002")) == []  # health care's own case: not the police's
    assert t("pages.cases.none", "sv") in [i.value for i in at.info]
    assert count(at) == "0 ärenden · sida 1 av 1"
    assert len(references(search(at, ""))) == 10 and count(at) == "51 ärenden · sida 1 av 6"


def test_pages_of_ten(many_cases: None) -> None:
    at = signed_in("polis")
    assert count(at) == "76 ärenden · sida 1 av 8"  # 25 more and the demo's 51
    first = references(at)
    assert len(first) == 10 and first[0] == "K-2026-0025"  # newest activity first
    assert button(at, "Föregående sida").disabled
    assert not button(at, "Nästa sida").disabled

    click(at, "Nästa sida")
    assert count(at) == "76 ärenden · sida 2 av 8"
    second = references(at)
    assert len(second) == 10 and not set(first) & set(second)
    assert second[0] == "K-2026-0015"
    assert not button(at, "Nästa sida").disabled

    click(at, "Föregående sida")
    assert count(at) == "76 ärenden · sida 1 av 8"
    assert references(at) == first


def test_a_search_from_a_later_page_shows_what_it_finds(many_cases: None) -> None:
    at = click(signed_in("polis"), "Nästa sida")
    assert count(at) == "76 ärenden · sida 2 av 8"
    assert references(search(at, "K-2026-0007")) == ["K-2026-0007"]
    assert count(at) == "1 ärenden · sida 1 av 1"


def test_a_case_opens_on_the_result_page() -> None:
    at = signed_in("polis")
    at = search(at, "DEMO-001")
    click(at, "Öppna")
    assert title(at) == "Resultat"
    assert "DEMO-001 Våld i lägenhet · Polisens ärendemottagning" in page_text(at.main)

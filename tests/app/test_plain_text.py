"""Every text a user typed is shown as the characters typed, on every page: a case reference, an override reason or
the name of whoever is responsible for an action never becomes an image, a link, colour or bold in another
agency's browser (Streamlit renders Markdown and some HTML in st.markdown, captions, alerts and labels)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from risk.storage import Store
from tests.app.helpers import PASSWORD, open_page, open_section, signed_in, title
from tests.ui.helpers import no_exceptions, texts
from ui.labels import md_escape

EVIL = "![x](http://e/x.png) [link](http://e) :red[x] <img src=x> **b**"
# Any of these, not escaped by a backslash, would render as markup: an image, a link, colour, HTML, bold.
MARKUP = re.compile(r"!\[x|(?<!\\)\[link|(?<!\\):red|(?<!\\)<img|\*\*b")


@pytest.fixture
def evil_case(database: str) -> Iterator[str]:
    """A police case whose reference, override reason and action owner are all Markdown and HTML."""
    store = Store.open(database)
    polis = store.authenticate("polis", PASSWORD)
    cid = store.create_case(polis, reference=f"K-1 {EVIL}", context="police_intake")
    store.add_person(polis, cid, {"id": "v1", "role": "victim", "age": 30})
    answers = {"dv.strangulation": "yes", "dv.threat_to_kill": "no"}
    store.save_assessment(polis, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": answers})
    store.save_override(polis, cid, "domestic_violence", "v1", "moderate", f"Skäl {EVIL}")
    store.add_action(polis, cid, "police.report_crime", "police", f"Ansvarig {EVIL}", None)
    store.close()
    yield "K-1"


def shown_as_text(at: AppTest) -> list[str]:
    """Every text on the page (main and sidebar) that carries the typed text; each must hold it escaped."""
    shown = [x for x in texts(at) + texts(at.sidebar) if "x.png" in x]
    for text in shown:
        assert not MARKUP.search(text), f"typed text rendered as markup: {text!r}"
    return shown


def open_evil_case(reference: str) -> AppTest:
    at = signed_in("polis")
    at.text_input(key="cases.search").input(reference)
    at.run()
    shown = shown_as_text(at)
    assert any(md_escape(EVIL) in x for x in shown), f"the reference is not in the case list: {texts(at.main)}"
    opens = [b for b in at.main.button if b.key and b.key.startswith("open.")]
    opens[0].click()
    at.run()
    no_exceptions(at)
    return at


def test_the_case_list_and_the_result_show_a_typed_reference_and_reason_as_text(evil_case: str) -> None:
    at = open_evil_case(evil_case)
    assert title(at) == "Resultat"
    shown = shown_as_text(at)
    assert f"K-1 {md_escape(EVIL)} · Polisens ärendemottagning" in shown  # the reference under the title
    shown = shown_as_text(open_section(at, "result.why"))
    reasons = [x for x in shown if x.startswith("**Skäl till ändringen:** Skäl ")]
    assert reasons == [f"**Skäl till ändringen:** Skäl {md_escape(EVIL)}"] * 2  # at the top and in "why"


def test_the_intake_and_the_conference_show_typed_text_as_text(evil_case: str) -> None:
    at = open_evil_case(evil_case)
    open_page(at, "Intag")
    assert any(x.startswith(f"K-1 {md_escape(EVIL)}") for x in shown_as_text(at))
    open_page(at, "Ärendemöte")
    shown = shown_as_text(at)
    assert any(f"Ansvarig {md_escape(EVIL)}" in x for x in shown), "the action's owner is not shown"
    assert any(f"Skäl {md_escape(EVIL)}" in x for x in shown), "the override reason is not shown"

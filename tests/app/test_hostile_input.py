"""Hostile input on every page: every text a user typed — a case reference, an override reason, whoever is
responsible for an action, "another action"'s own text, the reason for a later reassessment, the municipality of a
concern report, every field of a safety plan, an organisation's name, the trainer's unit and focus in the address —
is Markdown and HTML, and every page that shows it (every section of it opened) shows it as the characters typed.

A test of its own beside test_plain_text.py (which follows one reference and one reason through the pages by
name): here every page of every role that sees the case is read whole, with every section drawn only when opened,
and every text Streamlit renders as Markdown (texts, alerts, labels, help tooltips, radio options, button and
section titles) is checked. Plain-text elements (select box options, tables, typed values) are not: they show
the characters anyway. Each typed field has a tag of its own, and the test fails when a field is shown nowhere,
so a page that stops showing one is noticed, not passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from risk.safety_plans import default_safety_plans
from risk.storage import Store
from tests.app.helpers import PASSWORD, _request, every_view, open_every_section, signed_in, title, type_url
from tests.app.test_language_leakage import OPTION_WIDGETS, _pages, _walk
from tests.ui.helpers import no_exceptions

EVIL = "![x](http://e/x.png) [link](http://e) :red[x] <img src=x> **b** $x^2$ `c` <script>s</script>"
# Any of these, not escaped by a backslash, would render as markup: an image, a link, colour, HTML, bold, LaTeX.
MARKUP = re.compile(r"(?<!\\)!\[x|(?<!\\)\[link|(?<!\\):red|(?<!\\)<img|(?<!\\)\*\*b|(?<!\\)\$x|(?<!\\)<script")
LONG = " — a text longer than the plan's line, which shows in full in a help tooltip" * 2
FIELDS = {  # a tag per typed field: the test looks for each on the pages
    "REF": "the case reference",
    "WHY": "the override reason",
    "OWNER": "whoever is responsible for an action",
    "OTHER": "another action's own text",
    "LATER": "the reason for a later reassessment",
    "MUNI": "the municipality of a concern report",
    "PLAN": "a safety plan's fields",
    "ORG": "an organisation's name",
    "UNIT": "the trainer's unit in the address",
    "FOCUS": "the trainer's focus in the address",
}
REFERENCE = "HOSTILE-1"
MARKDOWN_KINDS = {
    "markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success", "alert",
    "exception", "latex",
}  # fmt: skip


def typed(tag: str) -> str:
    return f"{tag} {EVIL}"


@pytest.fixture
def hostile_case(database: str) -> Iterator[None]:
    """A police case in which every field a user types holds Markdown and HTML."""
    store = Store.open(database)
    admin = store.authenticate("admin", PASSWORD)
    store.add_organisation("hostile-org", typed("ORG"), "healthcare", parent="healthcare", by=admin)
    polis = store.authenticate("polis", PASSWORD)
    cid = store.create_case(polis, reference=f"{REFERENCE} {typed('REF')}", context="police_intake")
    for person in (
        {"id": "v1", "role": "victim", "age": 30, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 33, "gender": "male"},
        {"id": "c1", "role": "child", "age": 6},
    ):
        store.add_person(polis, cid, person)
    answers = {"dv.strangulation": "yes", "dv.threat_to_kill": "no"}
    subject = {"checklist": "domestic_violence", "subject": "v1", "about": "s1"}
    store.save_assessment(polis, cid, {**subject, "answers": answers})
    store.save_override(polis, cid, "domestic_violence", "v1", "moderate", typed("WHY"), about="s1")
    later = store.clock().date() + timedelta(days=80)
    store.set_reassessment(polis, cid, "domestic_violence", "v1", later, typed("LATER"), about="s1")
    store.add_action(polis, cid, "police.report_crime", "police", typed("OWNER"), None)
    store.add_action(polis, cid, "other", "police", "Polisen", None, note=typed("OTHER") + LONG)
    reported = store.clock() - timedelta(hours=1)
    store.report_concern(polis, cid, "c1", reported_at=reported, municipality=typed("MUNI"), method="phone")
    victim_plan = default_safety_plans().plan("victim")
    assert victim_plan is not None
    plan = {s.id: typed("PLAN") for s in victim_plan.sections}
    store.save_safety_plan(polis, cid, "v1", "victim", plan, "sv")
    store.add_organisation_to_case(polis, cid, "hostile-org")
    store.close()
    yield


def rendered(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of everything on the page that Streamlit renders as Markdown."""
    out: list[tuple[str, str]] = []
    for el in _walk(at._tree):
        kind = str(getattr(el, "type", ""))
        for attr in ("label", "help"):
            value = getattr(el, attr, None)
            if isinstance(value, str) and value:
                out.append((f"{kind}.{attr}", value))
        if kind == "radio" or (kind in OPTION_WIDGETS and kind not in ("selectbox", "multiselect")):
            out += [(f"{kind}.option", str(o)) for o in getattr(el, "options", [])]
        if kind in MARKDOWN_KINDS:
            value = getattr(el, "value", None)
            if isinstance(value, str):
                out.append((kind, value))
    return out


def check(at: AppTest, where: str, seen: set[str]) -> None:
    """Every rendered text that carries typed text holds it escaped; the tags seen are added to `seen`."""
    for kind, text in rendered(at):
        if "x.png" not in text:
            continue
        assert not MARKUP.search(text), f"{where}: typed text rendered as markup in a {kind}: {text!r}"
        seen.update(tag for tag in FIELDS if tag in text)


def every_page(at: AppTest, username: str, seen: set[str]) -> None:
    """Every page of the user's menu, every section opened; on the case list, the hostile case opened too."""
    for name, page_hash in _pages(at).items():
        at = open_every_section(_request(at, page_hash))
        for view in every_view(at):
            check(at, f"{username}: {name} {view}", seen)
        if "cases.search" in at.session_state:
            at.text_input(key="cases.search").input(REFERENCE)
            at.run()
            check(at, f"{username}: {name} (searched)", seen)
            opens = [b for b in at.main.button if b.key and b.key.startswith("open.")]
            assert len(opens) == 1, f"{username}: the case is not listed"
            opens[0].click()
            at.run()
            no_exceptions(at)
            at = open_every_section(at)
            for toggle in at.main.toggle:  # earlier versions (safety plans) and other views shown on demand
                toggle.set_value(True)
            at.run()
            no_exceptions(at)
            check(at, f"{username}: {name} → {title(at)}", seen)


def test_every_typed_text_is_shown_as_text_on_every_page(hostile_case: None) -> None:
    seen: set[str] = set()
    every_page(signed_in("polis"), "polis", seen)
    every_page(signed_in("admin"), "admin", seen)  # the users and the audit trail
    every_page(signed_in("chef"), "chef", seen)
    trainer = signed_in("chef")  # a new session, opened at the address a needs analysis links to
    trainer.query_params["unit"] = typed("UNIT")
    trainer.query_params["focus"] = f"dv.strangulation,{typed('FOCUS')}"
    at = type_url(trainer, "training")
    check(at, "chef: training for a typed unit and focus", seen)
    missing = {tag: FIELDS[tag] for tag in FIELDS if tag not in seen}
    assert not missing, f"typed text shown nowhere (the test no longer sees it): {missing}"


def test_the_checks_catch_markup() -> None:
    assert MARKUP.search(typed("X")) and MARKUP.search("**b**") and MARKUP.search("$x^2$")
    from ui.labels import md_escape

    assert not MARKUP.search(md_escape(typed("X")))

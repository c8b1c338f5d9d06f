"""Nothing entered is lost: the language switched at every point of every form (each checklist's short and full
form) keeps every answer, as a code, on the page and in the draft; a damaged draft opens with what can be saved and
can be discarded; the unfinished list names case, person and time."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from risk.checklists import default_checklists
from risk.storage import AuthError, Store
from risk.vocabulary import Context
from tests.app.helpers import (
    button,
    click,
    open_form,
    said_with_a_reference,
    selectbox,
    shown_text,
    sign_in,
    signed_in,
    start,
    title,
)
from tests.ui.helpers import no_exceptions, page_text
from ui.draft_writer import settle
from ui.form import form_sections
from ui.i18n import t

CHECKLISTS = default_checklists()
CODES = ("yes", "no", "unknown")
FORMS = [  # user, context, checklist, the people to register, the subject
    ("polis", "police_intake", "domestic_violence", [("victim", 31), ("suspect", 35)], "v1"),
    *[
        ("vard", c, "domestic_violence", [("victim", 40), ("suspect", 42)], "v1")
        for c in ("emergency_department", "ambulance", "primary_care", "dental_care", "psychiatry")
    ],
    ("soc", "social_services", "child_welfare", [("child", 9)], "c1"),
]
# The fast tier keeps one form of each agency (police, emergency department, social services); the other healthcare
# settings ask the same short form of the same checklist as the emergency department, so they run in the full tier.
SAME_FORM_AS_THE_EMERGENCY_DEPARTMENT = {"ambulance", "primary_care", "dental_care", "psychiatry"}
# Every other form (full tier: a form each, a minute or two together): each checklist's full form (social services;
# psychiatry has the psychiatric one), each short form at a police intake, and the remaining triage settings.
SUBJECTS = {  # a person each checklist is about, registered as the first one of the case
    "domestic_violence": ([("victim", 38), ("suspect", 41)], "v1"),
    "psychiatric": ([("other", 44)], "p1"),
    "child_welfare": ([("child", 7)], "c1"),
    "criminal_network": ([("other", 19)], "p1"),
    "sexual_violence": ([("victim", 25)], "v1"),
    "warning_behaviours": ([("other", 30)], "p1"),
}
EVERY_OTHER_FORM = [
    *[("soc", "social_services", c, *SUBJECTS[c]) for c in CHECKLISTS if c != "child_welfare"],
    ("vard", "psychiatry", "psychiatric", *SUBJECTS["psychiatric"]),
    *[("polis", "police_intake", c, *SUBJECTS[c]) for c in CHECKLISTS if c != "domestic_violence"],
    *[
        ("vard", c, "domestic_violence", *SUBJECTS["domestic_violence"])
        for c in ("child_adolescent_psychiatry", "antenatal_child_health", "addiction_care")
    ],
]


def lang_of(at: AppTest) -> str:
    return str(at.session_state["lang"]) if "lang" in at.session_state else "sv"


def switch(at: AppTest) -> str:
    """Switch to the other language; the new one is returned."""
    other = "en" if lang_of(at) == "sv" else "sv"
    at.segmented_control(key="lang_choice").set_value(other)
    at.run()
    no_exceptions(at)
    return other


def radios(at: AppTest, checklist: str, subject: str) -> dict[str, Any]:
    open_form(at)  # every section open: a closed one's questions are not drawn
    prefix = f".{checklist}.{subject}."
    return {r.key.split(prefix, 1)[1]: r for r in at.main.radio if r.key and prefix in r.key}


def drafts(url: str) -> list[dict[str, str]]:
    settle()  # the drafts written behind the answers, all of them (ui/draft_writer.py)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        return [json.loads(r[0]) for r in c.execute("SELECT answers FROM drafts")]


def kept_everywhere(at: AppTest, url: str, checklist: str, subject: str, given: dict[str, str]) -> None:
    """Every answer given is on the page, as the code, and the draft holds exactly these codes."""
    open_form(at)  # every section open: a closed one's questions are not drawn
    shown = {item: r.value for item, r in radios(at, checklist, subject).items() if r.value is not None}
    assert shown == given, f"in {lang_of(at)}: {shown} != {given}"
    if given:
        assert drafts(url) == [given]
    assert all(v in CODES for d in drafts(url) for v in d.values())


@pytest.mark.parametrize(
    ("username", "context", "checklist", "people", "subject"),
    [
        pytest.param(*f, id=f[1], marks=[pytest.mark.full] if f[1] in SAME_FORM_AS_THE_EMERGENCY_DEPARTMENT else [])
        for f in FORMS
    ],
)
def test_language_switch_at_every_point_of_every_short_form_keeps_every_answer(
    database: str, username: str, context: str, checklist: str, people: list[tuple[str, int]], subject: str
) -> None:
    """Each agency's first short form; the fast tier runs one of each agency (SAME_FORM_AS_THE_EMERGENCY_DEPARTMENT:
    the other healthcare settings, the same form again, are in the full tier only)."""
    switch_at_every_point(database, username, context, checklist, people, subject)


@pytest.mark.full
@pytest.mark.parametrize(
    ("username", "context", "checklist", "people", "subject"),
    EVERY_OTHER_FORM,
    ids=[f"{f[2]}-{CHECKLISTS[f[2]].form_for(Context(f[1])).id}-{f[1]}" for f in EVERY_OTHER_FORM],
)
def test_language_switch_at_every_point_of_every_other_form_keeps_every_answer(
    database: str, username: str, context: str, checklist: str, people: list[tuple[str, int]], subject: str
) -> None:
    """Each checklist's full form and each short form, not only the first checklist of each agency."""
    switch_at_every_point(database, username, context, checklist, people, subject)


def switch_at_every_point(
    database: str, username: str, context: str, checklist: str, people: list[tuple[str, int]], subject: str
) -> None:
    at = signed_in(username)
    switch(at)  # on the cases page
    click(at, t("pages.cases.new", lang_of(at)))
    switch(at)  # on the empty new-case form
    lang = lang_of(at)
    if len(selectbox(at, t("pages.intake.context", lang)).options) > 1:
        selectbox(at, t("pages.intake.context", lang)).set_value(context)
    at.text_input[0].input(f"LANG-{context}")
    click(at, t("pages.intake.create", lang))
    switch(at)  # a case, nobody registered
    for role, age in people:
        lang = lang_of(at)
        selectbox(at, t("pages.intake.role", lang)).set_value(role)
        at.number_input[0].set_value(age)
        click(at, t("pages.intake.add", lang))
        switch(at)  # after each person
    cl = CHECKLISTS[checklist]
    chooser = selectbox(at, t("pages.intake.checklist", lang_of(at)))
    if chooser.value != checklist:  # not the agency's first checklist: chosen as a user does
        chooser.set_value(checklist)
        at.run()
        no_exceptions(at)
        switch(at)  # the checklist chosen, nothing answered yet
    assert selectbox(at, t("pages.intake.checklist", lang_of(at))).value == checklist
    assert radios(at, checklist, subject), f"no form for {subject} in {page_text(at.main)}"
    given: dict[str, str] = {}
    kept_everywhere(at, database, checklist, subject, given)
    sections = form_sections(cl, context)
    critical = next((i for i in cl.form_items(context) if cl.items[i].critical), None)
    for n, section in enumerate(sections):
        in_form = [i.id for i in section.items if i.id in set(cl.form_items(context))]
        first = critical if critical in in_form else in_form[0]
        given[first] = "yes" if first == critical else CODES[n % 3]
        if len(in_form) > 1:
            given[in_form[-1]] = CODES[(n + 1) % 3]
        for item in (first, in_form[-1]):
            radios(at, checklist, subject)[item].set_value(given[item])  # the page as drawn by the last run
            at.run()
            no_exceptions(at)
        switch(at)  # in the middle of the form, after this section
        kept_everywhere(at, database, checklist, subject, given)
    assert critical is None or given[critical] == "yes"
    switch(at)
    kept_everywhere(at, database, checklist, subject, given)
    click(at, t("pages.intake.save", lang_of(at)))
    assert title(at) == t("pages.result.title", lang_of(at))
    assert drafts(database) == []  # saved: the draft is done


def police_case_with_a_draft(answers: dict[str, str]) -> AppTest:
    at = signed_in("polis")
    click(at, "Nytt ärende")
    at.text_input[0].input("K-DRAFT-1")
    click(at, "Skapa ärende")
    for role, age in (("victim", 31), ("suspect", 35)):
        selectbox(at, "Roll").set_value(role)
        at.number_input[0].set_value(age)
        click(at, "Lägg till")
    for item, value in answers.items():
        radios(at, "domestic_violence", "v1")[item].set_value(value)
        at.run()
    no_exceptions(at)
    return at


def draft_count(url: str) -> int:
    settle()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        return int(c.execute("SELECT count(*) FROM drafts").fetchone()[0])


def damage(url: str, raw: str) -> None:
    settle()  # no draft written behind an answer after the damage
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        c.execute("UPDATE drafts SET answers = ?", (raw,))


def resume(username: str = "polis") -> AppTest:
    """A new browser session; continue the unfinished assessment from the cases page."""
    at = sign_in(start(), username)
    no_exceptions(at)
    assert title(at) == "Ärenden"
    click(at, t("pages.cases.resume", "sv"))
    assert title(at) == "Intag"
    return at


@pytest.mark.parametrize(
    ("raw", "kept", "named"),
    [
        (  # what the defect wrote: the critical answer lost, another kept as the Swedish word
            json.dumps({"dv.stalking": "no", "dv.separation_recent": "ja", "dv.gone": "yes"}),
            {"dv.stalking": "no"},
            ["det sparade svaret ”ja” är inget giltigt svar", "inte längre finns i checklistan (dv.gone"],
        ),
        ('{"dv.stalking": "no", "dv.strangu', {}, ["utkastet gick inte att läsa alls"]),
        (json.dumps([{"item": "dv.stalking", "answer": "no"}]), {"dv.stalking": "no"}, []),
    ],
    ids=["labels-and-unknown-items", "not-json", "old-list-shape"],
)
def test_a_damaged_draft_opens_with_what_can_be_saved_and_can_be_discarded(
    database: str, raw: str, kept: dict[str, str], named: list[str]
) -> None:
    police_case_with_a_draft({"dv.strangulation": "yes"})
    damage(database, raw)
    at = resume()
    shown = {i: r.value for i, r in radios(at, "domestic_violence", "v1").items() if r.value is not None}
    assert shown == kept
    warnings = "\n".join(str(w.value) for w in at.warning)
    for text in named:
        assert text in warnings
    assert (t("drafts.dropped_title", "sv") in warnings) == bool(named)
    switch(at)  # the damaged draft in the other language: still no exception
    switch(at)

    click(at, t("drafts.discard", "sv"))
    assert t("drafts.discard_confirm", "sv") in [str(w.value) for w in at.warning]
    click(at, t("drafts.discard_no", "sv"))  # not yet
    assert draft_count(database) == 1
    click(at, t("drafts.discard", "sv"))
    click(at, t("drafts.discard_yes", "sv"))
    assert draft_count(database) == 0
    assert t("drafts.discarded", "sv") in [str(s.value) for s in at.success]
    assert all(r.value is None for r in radios(at, "domestic_violence", "v1").values())
    assert t("drafts.dropped_title", "sv") not in page_text(at.main)


def test_the_unfinished_list_names_case_person_and_time(database: str) -> None:
    police_case_with_a_draft({"dv.strangulation": "yes"})
    at = sign_in(start(), "polis")
    shown = page_text(at.main)
    dv = CHECKLISTS["domestic_violence"].title("sv")
    assert f"**K-DRAFT-1** – {dv} för v1 – utsatt, 31 år · senast ändrad i dag kl. " in shown, shown


def answer(at: AppTest, item: str, value: str) -> AppTest:
    radios(at, "domestic_violence", "v1")[item].set_value(value)
    at.run()
    return at


def drafts_written_slowly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each draft takes half a second to write: one is still on its way when the next click's run starts."""
    keep = Store.save_draft

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.5)
        keep(*args, **kwargs)

    monkeypatch.setattr(Store, "save_draft", slow)


def test_a_draft_not_kept_behind_an_answer_is_said_with_a_reference_and_no_answer_is_lost(
    database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    at = police_case_with_a_draft({"dv.strangulation": "yes"})

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("(sqlite3.OperationalError) database is locked -- UPDATE drafts SET answers")

    monkeypatch.setattr(Store, "save_draft", broken)
    with caplog.at_level(logging.ERROR, logger="samrisk.app"):
        answer(at, "dv.threat_to_kill", "yes")  # the write fails behind the answer
        at.run()  # the next run says so
    no_exceptions(at)
    assert title(at) == "Intag"  # the page goes on
    said = said_with_a_reference(at, caplog)  # the details are in the log only
    assert said.startswith("Det senaste utkastet kunde inte sparas")
    assert "UPDATE" not in shown_text(at)
    shown = {i: r.value for i, r in radios(at, "domestic_violence", "v1").items() if r.value is not None}
    assert shown == {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"}  # still in the form
    at.run()
    assert not at.error  # said once

    monkeypatch.undo()  # the database is back: the next answer keeps every answer again
    answer(at, "dv.weapon_access", "no")
    assert drafts(database) == [{"dv.strangulation": "yes", "dv.threat_to_kill": "yes", "dv.weapon_access": "no"}]


def test_saving_at_once_after_an_answer_leaves_no_draft_behind(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = police_case_with_a_draft({"dv.strangulation": "yes"})
    drafts_written_slowly(monkeypatch)  # a draft still being written when the assessment is saved
    answer(at, "dv.threat_to_kill", "no")
    click(at, t("pages.intake.save", "sv"))
    assert title(at) == "Resultat"
    assert drafts(database) == []  # the late draft did not come back after the save
    with sqlite3.connect(database.removeprefix("sqlite:///")) as c:
        [saved] = [
            json.loads(r[0])
            for r in c.execute(
                "SELECT a.answers FROM assessments a JOIN cases c ON c.id = a.case_id WHERE c.reference = 'K-DRAFT-1'"
            )
        ]
    assert saved == {"dv.strangulation": "yes", "dv.threat_to_kill": "no"}


def test_an_answer_and_the_save_in_one_run_leave_no_draft_behind(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser sends an answer and the save button's click in one run when both come before the next run starts:
    the draft written behind that answer is waited for before the save, so it cannot come back after it."""
    at = police_case_with_a_draft({"dv.strangulation": "yes"})
    drafts_written_slowly(monkeypatch)
    radios(at, "domestic_violence", "v1")["dv.threat_to_kill"].set_value("yes")
    button(at, t("pages.intake.save", "sv")).click()
    at.run()  # one run: the answer, its draft handed to the worker, then the save
    no_exceptions(at)
    assert title(at) == "Resultat"
    assert drafts(database) == []
    assert not at.error


def test_a_session_ended_while_a_draft_was_written_signs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    at = police_case_with_a_draft({"dv.strangulation": "yes"})

    def refused(*_: object, **__: object) -> None:
        raise AuthError("the session is not valid; sign in again", "session")

    monkeypatch.setattr(Store, "save_draft", refused)
    answer(at, "dv.threat_to_kill", "yes")
    at.run()
    no_exceptions(at)
    assert "user" not in at.session_state
    assert title(at) == "Samrisk"  # the sign-in page
    assert t("pages.login.session_ended", "sv") in [i.value for i in at.info]

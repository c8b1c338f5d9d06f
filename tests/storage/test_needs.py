"""The needs analysis on a synthetic history with known answers: exact figures, small cells hidden, scope."""

from __future__ import annotations

from datetime import date

import pytest

from risk.checklists import default_checklists
from risk.needs import direction, form_minutes, training_link
from risk.storage import PermissionDenied
from tests.storage.conftest import Clock, Store

PERSONS = [
    {"id": "v1", "role": "victim", "age": 30},
    {"id": "s1", "role": "suspect", "age": 35},
    {"id": "c1", "role": "child", "age": 6},
]


def _answers(unknown: str) -> dict[str, str]:
    answers = {i: "no" for i in default_checklists()["domestic_violence"].items}
    answers[unknown] = "unknown"
    return answers


def _case(
    store: Store,
    clock: Clock,
    user: object,
    ref: str,
    unknown: str,
    minutes: float,
    *,
    up: bool = False,
    done: bool = False,
    child_started: bool = False,
) -> None:
    """One police intake: a draft, `minutes` later the saved short form, then what the officer did after."""
    cid = store.create_case(user, ref, "police_intake")  # type: ignore[arg-type]
    for p in PERSONS:
        store.add_person(user, cid, p)  # type: ignore[arg-type]
    store.save_draft(user, cid, "domestic_violence", "v1", {"dv.strangulation": "no"})  # type: ignore[arg-type]
    clock.advance(minutes=minutes)
    store.save_assessment(  # type: ignore[arg-type]
        user, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": _answers(unknown)}
    )
    if up:
        store.save_override(user, cid, "domestic_violence", "v1", "high", "Known history")  # type: ignore[arg-type]
    if done:
        store.add_action(user, cid, "police.child_concern_report", "police", "anna", date(2026, 11, 27), "done")  # type: ignore[arg-type]
    if child_started:
        store.save_draft(user, cid, "child_welfare", "c1", {})  # type: ignore[arg-type]
    clock.advance(minutes=30)


@pytest.fixture
def history(store: Store, clock: Clock) -> dict[str, object]:
    store.add_organisation("polis_syd", "Polisregion Syd", "police")
    store.add_organisation("polis_syd.malmo", "Malmö", "police", parent="polis_syd")
    store.add_organisation("polis_syd.lund", "Lund", "police", parent="polis_syd")
    store.add_organisation("polis_nord", "Polisregion Nord", "police")
    anna = store.add_user("anna", "pw-anna-123456", "police", "officer", organisation="polis_syd.malmo")
    bo = store.add_user("bo", "pw-bo-1234567", "police", "officer", organisation="polis_syd.lund")
    nils = store.add_user("nils", "pw-nils-123456", "police", "officer", organisation="polis_nord")
    sven = store.add_user("sven", "pw-sven-123456", "police", "supervisor", organisation="polis_syd")
    # November, Malmö: ten intakes, strangulation always unknown; five raised to high, five steps done,
    # four child checklists started; each form took 12 minutes.
    for n in range(10):
        _case(store, clock, anna, f"M-{n}", "dv.strangulation", 12, up=n < 5, done=n % 2 == 0, child_started=n < 4)
    # November, Lund: three intakes, too few to show anything.
    for n in range(3):
        _case(store, clock, bo, f"L-{n}", "dv.escalation", 5, up=n == 0)
    # Another organisation: not in Sven's figures.
    for n in range(6):
        _case(store, clock, nils, f"N-{n}", "dv.stalking", 1)
    clock.now = clock.now.replace(month=12, day=2)
    # December, Malmö: five intakes, threat to kill unknown, nothing else done; 3 minutes each.
    for n in range(5):
        _case(store, clock, anna, f"MD-{n}", "dv.threat_to_kill", 3)
    return {"sven": sven, "anna": anna}


def test_figures_of_a_known_history(store: Store, history: dict[str, object]) -> None:
    got = store.needs_analysis(history["sven"])  # type: ignore[arg-type]
    assert got.scope == "organisation" and got.min_cell == 5
    assert got.units == ["polis_syd.lund", "polis_syd.malmo"]  # never polis_nord
    assert got.months == ["2026-11", "2026-12"]
    unknown = {(f.unit, f.month, f.item): (f.unknown, f.assessed, f.share) for f in got.unknown_items}
    assert unknown == {
        ("polis_syd.malmo", "2026-11", "dv.strangulation"): (10, 10, 1.0),
        ("polis_syd.malmo", "2026-12", "dv.threat_to_kill"): (5, 5, 1.0),
        ("polis_syd.lund", "2026-11", "dv.escalation"): (None, None, None),
    }
    overrides = {(f.unit, f.month): (f.assessments, f.up, f.down, f.rate) for f in got.overrides}
    assert overrides == {
        ("polis_syd.malmo", "2026-11"): (10, 5, 0, 0.5),
        ("polis_syd.malmo", "2026-12"): (5, 0, 0, 0.0),
        ("polis_syd.lund", "2026-11"): (None, None, 0, None),  # 1 raised, 2 kept: both hidden
    }
    required = {(f.unit, f.month): (f.required, f.not_started) for f in got.required_checklists}
    assert required == {
        ("polis_syd.malmo", "2026-11"): (10, 6),
        ("polis_syd.malmo", "2026-12"): (5, 5),
        ("polis_syd.lund", "2026-11"): (None, None),
    }
    steps = {(f.unit, f.month): (f.immediate, f.not_done) for f in got.immediate_steps}
    assert steps == {
        ("polis_syd.malmo", "2026-11"): (10, 5),
        ("polis_syd.malmo", "2026-12"): (5, 5),
        ("polis_syd.lund", "2026-11"): (None, None),
    }
    times = {(f.unit, f.month): (f.forms, f.median_minutes) for f in got.form_times}
    assert times == {
        ("polis_syd.malmo", "2026-11"): (10, 12.0),
        ("polis_syd.malmo", "2026-12"): (5, 3.0),
        ("polis_syd.lund", "2026-11"): (None, None),
    }
    needs = {n.unit: (n.focus, n.training_link) for n in got.needs}
    assert needs["polis_syd.malmo"] == (
        ["dv.strangulation", "dv.threat_to_kill"],
        "training?unit=polis_syd.malmo&focus=dv.strangulation,dv.threat_to_kill",
    )
    assert needs["polis_syd.lund"] == ([], "training?unit=polis_syd.lund&focus=")


def test_case_workers_see_no_needs_analysis(store: Store, history: dict[str, object]) -> None:
    with pytest.raises(PermissionDenied):
        store.needs_analysis(history["anna"])  # type: ignore[arg-type]


def test_needs_analysis_reads_in_a_fixed_number_of_statements(
    store: Store, clock: Clock, history: dict[str, object]
) -> None:
    from sqlalchemy import event

    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    def selects() -> int:
        sent.clear()
        event.listen(store.engine, "before_cursor_execute", note)
        try:
            store.needs_analysis(history["sven"])  # type: ignore[arg-type]
        finally:
            event.remove(store.engine, "before_cursor_execute", note)
        return sum(s.lstrip().upper().startswith("SELECT") for s in sent)

    before = selects()
    for n in range(4):
        _case(store, clock, history["anna"], f"X-{n}", "dv.stalking", 2, up=True, done=True, child_started=True)
    assert selects() == before <= 12


def test_direction_and_form_minutes() -> None:
    from datetime import datetime, timedelta

    assert direction("low", "high") == "up" and direction("high", "moderate") == "down"
    assert direction("low", "low") is None and direction("low", None) is None
    t0 = datetime(2026, 11, 27, 9)
    drafts = [t0, t0 + timedelta(minutes=1), t0 + timedelta(minutes=20)]
    saves = [t0 + timedelta(minutes=10), t0 + timedelta(minutes=30), t0 + timedelta(minutes=40)]
    assert form_minutes(drafts, saves) == [(saves[0], 10.0), (saves[1], 10.0)]  # the third save had no draft
    assert training_link("a b", ["x.1", "x.2"]) == "training?unit=a+b&focus=x.1,x.2"


def test_training_figures_hide_small_groups() -> None:
    from risk.needs import training_figures

    got = training_figures(
        [("malmo", "tc.bridge", s) for s in (60, 70, 80, 90, 100)] + [("lund", "tc.bridge", 40), ("lund", "tc.x", 90)]
    )
    assert [(f.unit, f.case_id, f.attempts, f.median_score) for f in got] == [
        ("lund", "tc.bridge", None, None),
        ("lund", "tc.x", None, None),
        ("malmo", "tc.bridge", 5, 80.0),
    ]

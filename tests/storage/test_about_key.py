"""One domestic-violence assessment per perpetrator (`about`), on SQLite and PostgreSQL.

Honour-based violence has several perpetrators in the family (PATRIARK); each is assessed on their own, so the
person an assessment is about is part of its key wherever the checklist has an about_role.
"""

from __future__ import annotations

import pytest

from risk.errors import InputError
from risk.storage import Store

PASS = "a long passphrase"


def dv(about: str | None, answers: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {"checklist": "domestic_violence", "subject": "v1", "answers": answers}
    if about is not None:
        out["about"] = about
    return out


@pytest.fixture
def officer(store: Store):  # type: ignore[no-untyped-def]
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


@pytest.fixture
def case_id(store: Store, officer) -> int:  # type: ignore[no-untyped-def]
    """A young woman threatened by her father and her brother in the name of honour."""
    cid = store.create_case(officer, reference="K-2026-0777")
    store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 19, "gender": "female"})
    store.add_person(officer, cid, {"id": "s1", "role": "suspect", "age": 52, "gender": "male"})
    store.add_person(officer, cid, {"id": "s2", "role": "suspect", "age": 23, "gender": "male"})
    return cid


def test_two_assessments_of_one_victim_about_two_perpetrators_are_both_kept(
    store: Store, officer, case_id: int
) -> None:  # type: ignore[no-untyped-def]
    father = {"dv.honour_context": "yes", "dv.threat_to_kill": "yes"}
    brother = {"dv.honour_context": "yes", "dv.stalking": "yes"}
    assert store.save_assessment(officer, case_id, dv("s1", father)) == 1
    assert store.save_assessment(officer, case_id, dv("s2", brother)) == 1  # its own version 1: no conflict
    assert store.save_assessment(officer, case_id, dv("s2", {**brother, "dv.escalation": "yes"}), base_version=1) == 2
    case = store.get_case(officer, case_id)
    got = sorted((a["about"], a["version"], a["answers"]) for a in case["assessments"])
    assert got == [("s1", 1, father), ("s2", 2, {**brother, "dv.escalation": "yes"})]
    result = store.assess_case(officer, case_id)
    # The threat to kill is critical: high about the father; stalking with escalation (a DASH/MARAM cluster): high
    # about the brother too, each assessment on its own answers.
    assert sorted((a["about"], a["computed_level"]) for a in result["assessments"]) == [
        ("s1", "high"),
        ("s2", "high"),
    ]
    assert "honour_related" in {f["id"] for f in result["flags"]}
    history = store.assessment_history(officer, case_id, "domestic_violence", "v1", about="s2")
    assert [h["version"] for h in history] == [1, 2]
    assert store.verify_audit() == []


def test_override_and_draft_say_which_perpetrator(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_assessment(officer, case_id, dv("s1", {"dv.coercive_control": "yes"}))
    store.save_assessment(officer, case_id, dv("s2", {"dv.coercive_control": "yes"}))
    with pytest.raises(InputError, match="more than one person"):
        store.save_override(officer, case_id, "domestic_violence", "v1", "high", "The brother carries a knife.")
    store.save_override(officer, case_id, "domestic_violence", "v1", "high", "The brother carries a knife.", about="s2")
    result = store.assess_case(officer, case_id)
    levels = {a["about"]: (a["computed_level"], a["level"]) for a in result["assessments"]}
    assert levels["s2"][1] == "high" and levels["s1"][1] == levels["s1"][0]
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.stalking": "yes"}, about="s1")
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.stalking": "no"}, about="s2")
    s1 = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1")
    s2 = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s2")
    assert s1 is not None and s2 is not None
    assert (s1["answers"], s2["answers"]) == ({"dv.stalking": "yes"}, {"dv.stalking": "no"})
    with pytest.raises(InputError, match="say which"):
        store.get_draft(officer, case_id, "domestic_violence", "v1")
    store.save_assessment(officer, case_id, dv("s1", {"dv.stalking": "yes"}), base_version=1)
    assert store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1") is None  # saved: done
    assert store.get_draft(officer, case_id, "domestic_violence", "v1", about="s2") is not None


def test_a_second_assessment_about_the_same_perpetrator_is_a_conflict(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    from risk.storage import ConflictError

    store.save_assessment(officer, case_id, dv("s1", {"dv.stalking": "yes"}))
    with pytest.raises(ConflictError):
        store.save_assessment(officer, case_id, dv("s1", {"dv.stalking": "no"}), base_version=None)


def test_migration_0006_keeps_what_was_saved_and_fills_the_about_key(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    """Down to 0002 and up again: the saved assessment and draft survive, and about_key comes from `about`."""
    from alembic import command
    from sqlalchemy import inspect, text

    from risk.storage.migrate import alembic_config

    store.save_assessment(officer, case_id, dv("s1", {"dv.stalking": "yes"}))
    store.save_assessment(officer, case_id, {"checklist": "psychiatric", "subject": "s1", "answers": {}})
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.escalation": "yes"}, about="s1")
    with store.engine.begin() as c:
        command.downgrade(alembic_config(c), "0004")
    try:
        assert "about_key" not in {col["name"] for col in inspect(store.engine).get_columns("assessments")}
    finally:
        with store.engine.begin() as c:
            command.upgrade(alembic_config(c), "head")
    with store.engine.connect() as c:
        keys = c.execute(text("SELECT checklist, about_key FROM assessments ORDER BY checklist")).all()
        drafts = c.execute(text("SELECT about_key FROM drafts")).scalars().all()
    assert [tuple(k) for k in keys] == [("domestic_violence", "s1"), ("psychiatric", "")]
    assert drafts == ["s1"]
    assert store.save_assessment(officer, case_id, dv("s2", {"dv.stalking": "no"})) == 1
    assert store.save_assessment(officer, case_id, dv("s1", {"dv.stalking": "no"}), base_version=1) == 2
    draft = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1")
    assert draft is None  # saved about s1: that draft is done

"""Drafts keep codes, never words; a damaged draft is read for what can be saved, listed, replaced and discarded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from risk.checklists import default_checklists
from risk.drafts import read_draft_answers
from risk.errors import InputError
from risk.storage import Store

PASS = "correct-horse-battery"
DV = default_checklists()["domestic_violence"]


@pytest.fixture
def officer(store: Store):  # type: ignore[no-untyped-def]
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


@pytest.fixture
def case_id(store: Store, officer) -> int:  # type: ignore[no-untyped-def]
    cid = store.create_case(officer, reference="K-2026-0142")
    store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 31, "gender": "female"})
    store.add_person(officer, cid, {"id": "s1", "role": "suspect", "age": 35, "gender": "male"})
    return cid


def stored(store: Store, raw: str) -> None:
    """What an older app, a defect or a damaged database left in the draft's answers column."""
    with store.engine.begin() as c:
        c.execute(text("UPDATE drafts SET answers = :raw"), {"raw": raw})


def actions(store: Store) -> list[str]:
    with store.engine.begin() as c:
        return [r[0] for r in c.execute(text("SELECT action FROM audit ORDER BY id"))]


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"dv.strangulation": "ja"}, "dv.strangulation: 'ja'"),
        ({"dv.strangulation": "Yes"}, "dv.strangulation: 'Yes'"),
        ({"dv.no_such_item": "yes"}, "dv.no_such_item: not an item of domestic_violence"),
    ],
)
def test_a_draft_is_never_written_with_words_or_unknown_items(
    store: Store,
    officer,
    case_id: int,
    answers: dict[str, str],
    named: str,  # type: ignore[no-untyped-def]
) -> None:
    with pytest.raises(InputError) as e:
        store.save_draft(officer, case_id, "domestic_violence", "v1", answers, about="s1")
    assert any(named in p for p in e.value.problems), e.value.problems
    assert store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1") is None


DAMAGED = [  # what is stored → the answers kept, the (item, why) dropped
    (
        json.dumps({"dv.strangulation": "yes", "dv.separation_recent": "ja", "dv.gone_item": "no"}),
        {"dv.strangulation": "yes"},
        [("dv.separation_recent", "not_a_code"), ("dv.gone_item", "unknown_item")],
    ),
    (
        json.dumps([{"item": "dv.strangulation", "answer": "yes"}, {"item": "dv.stalking", "answer": "nej"}]),
        {"dv.strangulation": "yes"},
        [("dv.stalking", "not_a_code")],
    ),
    (json.dumps({"answers": {"dv.stalking": "no"}}), {"dv.stalking": "no"}, []),
    (json.dumps(json.dumps({"dv.stalking": "unknown"})), {"dv.stalking": "unknown"}, []),
    (json.dumps(["ja", "nej"]), {}, [(None, "unreadable")]),
    (json.dumps({"dv.stalking": ["yes"]}), {}, [("dv.stalking", "not_a_code")]),
]


@pytest.mark.parametrize(("raw", "kept", "dropped"), DAMAGED)
def test_a_damaged_draft_gives_what_can_be_saved_and_names_the_rest(
    store: Store,
    officer,
    case_id: int,
    raw: str,
    kept: dict[str, str],
    dropped: list[Any],  # type: ignore[no-untyped-def]
) -> None:
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.escalation": "yes"}, about="s1")
    stored(store, raw)
    draft = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1")
    assert draft is not None
    assert draft["answers"] == kept
    assert [(d["item"], d["why"]) for d in draft["dropped"]] == dropped
    assert [d["case_id"] for d in store.list_drafts(officer)] == [case_id]  # still listed, so it can be resumed
    store.save_draft(officer, case_id, "domestic_violence", "v1", {**kept, "dv.escalation": "no"}, about="s1")
    again = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1")
    assert again is not None and again["dropped"] == [] and again["answers"] == {**kept, "dv.escalation": "no"}


def test_a_draft_that_is_not_json_is_read_listed_and_discarded(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    if store.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL's json type refuses text that is not JSON: such a draft cannot exist there")
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.escalation": "yes"}, about="s1")
    stored(store, '{"dv.escalation": "yes", "dv.strangu')
    draft = store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1")
    assert draft is not None and draft["answers"] == {}
    assert [(d["item"], d["why"]) for d in draft["dropped"]] == [(None, "unreadable")]
    assert store.list_drafts(officer)[0]["reference"] == "K-2026-0142"
    assert store.discard_draft(officer, case_id, "domestic_violence", "v1", about="s1") is True
    assert store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1") is None
    assert store.list_drafts(officer) == []
    assert actions(store)[-3:] == ["discard_draft", "read_draft", "list_drafts"]


def test_discard_is_audited_private_and_leaves_saved_versions(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_assessment(
        officer,
        case_id,
        {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.stalking": "yes"}},
    )
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.stalking": "no"}, about="s1", base_version=1)
    store.add_user("bo", PASS, agency="police", role="officer")
    bo = store.authenticate("bo", PASS)
    assert store.discard_draft(bo, case_id, "domestic_violence", "v1", about="s1") is False  # not bo's draft
    assert store.get_draft(officer, case_id, "domestic_violence", "v1", about="s1") is not None
    assert store.discard_draft(officer, case_id, "domestic_violence", "v1", about="s1") is True
    assert "discard_draft" in actions(store)
    assert store.get_case(officer, case_id)["assessments"][0]["answers"] == {"dv.stalking": "yes"}


def test_the_list_names_case_person_and_time(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.stalking": "no"}, about="s1")
    other = store.create_case(officer, reference="K-2026-0143")
    store.add_person(officer, other, {"id": "c1", "role": "child", "age": 4})
    store.save_draft(officer, other, "child_welfare", "c1", {})
    rows = store.list_drafts(officer)
    assert [(r["reference"], r["subject"], r.get("subject_role"), r.get("subject_age")) for r in rows] == [
        ("K-2026-0143", "c1", "child", 4),  # the newest first
        ("K-2026-0142", "v1", "victim", 31),
    ]
    assert all(r["updated_at"].startswith("2026-11-27T09:") for r in rows)


def test_reading_without_a_database() -> None:
    reading = read_draft_answers("not json at all", DV)
    assert reading.answers == {} and not reading.clean
    assert read_draft_answers({"dv.stalking": "no"}, DV).clean

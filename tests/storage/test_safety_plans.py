"""Safety plans as case records, on SQLite and PostgreSQL: each save a new version, audited with a digest of what
was saved; the person's plan seen by the organisation that wrote it and, under the person's consent, by another;
refused to other organisations, coordinators and for the wrong person or plan, naming what to fix."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from risk.errors import InputError
from risk.storage import NotFound, PermissionDenied, Store
from risk.storage import schema as db
from risk.storage.accounts import UserInfo
from tests.storage.conftest import Clock

PASS = "a long passphrase"


@pytest.fixture
def nurse(store: Store) -> UserInfo:
    return store.add_user("eva", PASS, agency="healthcare", role="clinician")


@pytest.fixture
def case_id(store: Store, nurse: UserInfo) -> int:
    cid = store.create_case(nurse, reference="AK-7", context="emergency_department")
    store.add_person(nurse, cid, {"id": "v1", "role": "victim", "age": 31, "gender": "female"})
    store.add_person(nurse, cid, {"id": "s1", "role": "suspect", "age": 35, "gender": "male"})
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    store.save_assessment(nurse, cid, dv)
    return cid


def actions_of(store: Store, user: UserInfo, cid: int) -> list[str]:
    return [e["action"] for e in store.audit_entries(user, cid)]


def test_each_save_is_a_new_version_and_the_earlier_ones_stay(
    store: Store, nurse: UserInfo, case_id: int, clock: Clock
) -> None:
    first = store.save_safety_plan(
        nurse,
        case_id,
        "v1",
        "victim",
        {"priorities": " The children ", "code_word": "", "safe_route": "Back door"},
        "sv",
    )
    assert first["version"] == 1 and first["language"] == "sv" and first["created_by"] == "eva"
    assert first["content"] == {"priorities": "The children", "safe_route": "Back door"}  # trimmed, empty left out
    clock.advance(hours=1)
    second = store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "The children and the dog"}, "en")
    assert second["version"] == 2

    [latest] = store.safety_plans(nurse, case_id)
    assert (latest["version"], latest["content"], latest["visible_because"]) == (
        2,
        {"priorities": "The children and the dog"},
        "own_agency",
    )
    versions = store.safety_plan_versions(nurse, case_id, "v1", "victim")
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["content"]["safe_route"] == "Back door"  # never overwritten

    actions = actions_of(store, nurse, case_id)
    assert actions.count("save_safety_plan") == 2
    assert "read_safety_plans" in actions and "read_safety_plan_versions" in actions
    with store.engine.connect() as c:
        details = list(c.execute(select(db.AuditEntry.detail).where(db.AuditEntry.action == "save_safety_plan")))
    assert len(details) == 2
    assert all('"content"' in d and "children" not in d for (d,) in details)  # a digest of the plan, not its words
    assert store.verify_audit() == []


def test_plans_of_two_kinds_and_persons_are_kept_apart(store: Store, nurse: UserInfo, case_id: int) -> None:
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "Safety"}, "sv")
    store.save_safety_plan(nurse, case_id, "v1", "suicide", {"warning_signs": "Not sleeping"}, "sv")
    store.save_safety_plan(nurse, case_id, "s1", "suicide", {"coping": "A walk"}, "en")
    plans = {(p["person"], p["kind"]): p["version"] for p in store.safety_plans(nurse, case_id)}
    assert plans == {("v1", "victim"): 1, ("v1", "suicide"): 1, ("s1", "suicide"): 1}


def test_bad_input_is_refused_naming_each_thing_to_fix(store: Store, nurse: UserInfo, case_id: int) -> None:
    with pytest.raises(InputError) as err:
        store.save_safety_plan(nurse, case_id, "v1", "victim", {"escape": "x", "priorities": "y" * 5000}, "de")
    fields = sorted(p.split(":")[0] for p in err.value.problems)
    assert fields == ["escape", "language", "priorities"]
    with pytest.raises(InputError, match="write at least one section"):
        store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "   "}, "sv")
    with pytest.raises(InputError, match="kind: 'staff'"):
        store.save_safety_plan(nurse, case_id, "v1", "staff", {"priorities": "x"}, "sv")
    with pytest.raises(InputError, match="s1 is a suspect; the victim plan is for"):  # data: person_roles
        store.save_safety_plan(nurse, case_id, "s1", "victim", {"priorities": "x"}, "sv")
    with pytest.raises(InputError, match="no person 'x9'"):
        store.save_safety_plan(nurse, case_id, "x9", "suicide", {"coping": "x"}, "sv")
    assert store.safety_plans(nurse, case_id) == []


def test_another_organisation_sees_no_plan_without_the_persons_consent(
    store: Store, nurse: UserInfo, case_id: int, clock: Clock
) -> None:
    officer = store.add_user("olle", PASS, agency="police", role="officer")
    coordinator = store.add_user("cora", PASS, agency="social_services", role="coordinator")
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "The children"}, "sv")

    with pytest.raises(PermissionDenied):  # not in the case at all
        store.safety_plans(officer, case_id)
    assert "access_denied" in actions_of(store, nurse, case_id)

    store.add_organisation_to_case(nurse, case_id, "police")
    store.add_organisation_to_case(nurse, case_id, "social_services")
    assert store.safety_plans(officer, case_id) == []  # in the case, but the plan is the care's record
    assert store.safety_plan_versions(officer, case_id, "v1", "victim") == []
    assert store.safety_plans(coordinator, case_id) == []  # a case conference never opens a plan
    with pytest.raises(PermissionDenied, match="does not write safety plans"):
        store.save_safety_plan(coordinator, case_id, "v1", "victim", {"priorities": "x"}, "sv")

    clock.advance(minutes=5)
    store.record_consent(nurse, case_id, "v1", ["police"])
    [seen] = store.safety_plans(officer, case_id)
    assert (seen["visible_because"], seen["organisation"], seen["content"]) == (
        "consent",
        "healthcare",
        {"priorities": "The children"},
    )

    # The police's own plan for the same person is its own record, numbered from 1, not hidden from the care.
    mine = store.save_safety_plan(officer, case_id, "v1", "victim", {"safe_contacts": "A neighbour"}, "sv")
    assert mine["version"] == 1
    assert {p["organisation"] for p in store.safety_plans(officer, case_id)} == {"healthcare", "police"}
    assert [p["organisation"] for p in store.safety_plans(nurse, case_id)] == ["healthcare"]


def test_a_withdrawn_consent_closes_later_versions(store: Store, nurse: UserInfo, case_id: int, clock: Clock) -> None:
    officer = store.add_user("olle", PASS, agency="police", role="officer")
    store.add_organisation_to_case(nurse, case_id, "police")
    store.record_consent(nurse, case_id, "v1", ["police"])
    clock.advance(minutes=1)
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "First"}, "sv")
    clock.advance(minutes=1)
    store.withdraw_consent(nurse, case_id, "v1", "police")
    clock.advance(minutes=1)
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "Second"}, "sv")
    seen = store.safety_plan_versions(officer, case_id, "v1", "victim")
    assert [v["content"]["priorities"] for v in seen] == ["First"]


def test_a_person_with_a_plan_is_not_removed(store: Store, nurse: UserInfo, case_id: int) -> None:
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "Private words"}, "sv")
    with pytest.raises(InputError, match="1 safety plans"):
        store.remove_person(nurse, case_id, "v1")


@pytest.mark.parametrize("mode", ["delete", "pseudonymise"])
def test_retention_leaves_no_plan_behind(store: Store, nurse: UserInfo, case_id: int, clock: Clock, mode: str) -> None:
    store.save_safety_plan(nurse, case_id, "v1", "victim", {"priorities": "Private words"}, "sv")
    clock.advance(days=400)
    assert case_id in store.apply_retention(30, mode=mode)
    if mode == "delete":
        with pytest.raises(NotFound):
            store.safety_plans(nurse, case_id)
    else:
        assert store.safety_plans(nurse, case_id) == []
    assert "Private words" not in str(store.export_case(nurse, case_id)) if mode != "delete" else True


def test_a_plan_changed_or_added_outside_the_store_is_named_by_the_audit_check(
    store: Store, nurse: UserInfo, case_id: int
) -> None:
    from sqlalchemy import update

    saved = store.save_safety_plan(nurse, case_id, "v1", "victim", {"code_word": "Pizza"}, "sv")
    assert store.verify_audit() == []
    with store.engine.begin() as c:
        c.execute(update(db.SafetyPlan).values(content={"code_word": "Tacos"}))
    [problem] = store.verify_audit()
    assert f"victim:v1 version {saved['version']}" in problem and "content changed" in problem
    with store.engine.begin() as c:
        row = dict(c.execute(select(db.SafetyPlan.__table__)).mappings().one())
        row.pop("id")
        c.execute(db.SafetyPlan.__table__.insert().values({**row, "version": 2}))
    assert any("1 safety plan version(s) with no audit entry" in p for p in store.verify_audit())

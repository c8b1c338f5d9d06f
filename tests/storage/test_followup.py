"""Follow-up over time in the store: the suggested reassessment date is kept with each version, the case list
shows the earliest, and a professional may choose another date (a later one with a reason), on both databases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from risk.errors import InputError
from risk.storage import NotFound, PermissionDenied, Store
from risk.storage.accounts import UserInfo
from tests.storage.conftest import Clock

PASS = "a long passphrase"
TODAY = date(2026, 11, 27)  # the test clock's day
SEVERE = {"dv.strangulation": "yes", "dv.threat_to_kill": "yes"}


@pytest.fixture
def officer(store: Store) -> UserInfo:
    return store.add_user("anna", PASS, agency="police", role="officer")


@pytest.fixture
def case_id(store: Store, officer: UserInfo) -> int:
    cid = store.create_case(officer, reference="K-2026-0300")
    store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 31})
    store.add_person(officer, cid, {"id": "s1", "role": "suspect", "age": 35})
    store.add_person(officer, cid, {"id": "c1", "role": "child", "age": 6})
    return cid


def dv(answers: dict[str, str]) -> dict[str, object]:
    return {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers}


def test_saving_fills_in_the_suggested_date_and_keeps_it(store: Store, officer: UserInfo, case_id: int) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE))
    [a] = store.get_case(officer, case_id)["assessments"]
    assert a["reassess_by"] == a["reassess_suggested"] == (TODAY + timedelta(days=3)).isoformat()
    assert "reassess_reason" not in a
    assert store.list_cases(officer).items[0].reassessment_due == TODAY + timedelta(days=3)


def test_a_reassessment_gets_the_date_of_its_own_level(store: Store, officer: UserInfo, case_id: int) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE))
    store.save_assessment(officer, case_id, dv({"dv.strangulation": "no"}), base_version=1)
    [a] = store.get_case(officer, case_id)["assessments"]
    assert a["version"] == 2 and a["reassess_suggested"] != (TODAY + timedelta(days=3)).isoformat()
    child = {"checklist": "child_welfare", "subject": "c1", "answers": {"child.witnessed_violence": "no"}}
    store.save_assessment(officer, case_id, child)
    dates = {x["checklist"]: x["reassess_suggested"] for x in store.get_case(officer, case_id)["assessments"]}
    assert date.fromisoformat(dates["child_welfare"]) <= TODAY + timedelta(days=30)  # a child: sooner


def test_an_explicit_date_is_kept_beside_the_suggestion(store: Store, officer: UserInfo, case_id: int) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE), reassess_by=TODAY + timedelta(days=1))
    [a] = store.get_case(officer, case_id)["assessments"]
    assert a["reassess_by"] == (TODAY + timedelta(days=1)).isoformat()
    assert a["reassess_suggested"] == (TODAY + timedelta(days=3)).isoformat()


def test_a_later_date_needs_a_reason_an_earlier_one_does_not(
    store: Store, officer: UserInfo, case_id: int, clock: Clock
) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE))
    later = TODAY + timedelta(days=10)
    with pytest.raises(InputError) as e:
        store.set_reassessment(officer, case_id, "domestic_violence", "v1", later, "  ")
    assert "later than the suggested" in e.value.problems[0] and "write why" in e.value.problems[0]
    with pytest.raises(InputError, match="has passed"):
        store.set_reassessment(officer, case_id, "domestic_violence", "v1", TODAY - timedelta(days=1), "x")
    store.set_reassessment(officer, case_id, "domestic_violence", "v1", later, " The victim is in sheltered housing ")
    [a] = store.get_case(officer, case_id)["assessments"]
    assert (a["reassess_by"], a["reassess_reason"]) == (later.isoformat(), "The victim is in sheltered housing")
    assert a["reassess_suggested"] == (TODAY + timedelta(days=3)).isoformat()
    store.set_reassessment(officer, case_id, "domestic_violence", "v1", TODAY + timedelta(days=1))
    [a] = store.get_case(officer, case_id)["assessments"]
    assert a["reassess_by"] == (TODAY + timedelta(days=1)).isoformat() and "reassess_reason" not in a
    actions = [e["action"] for e in store.audit_entries(officer, case_id)]
    assert actions.count("set_reassessment") == 2


def test_only_the_saving_agency_changes_the_date(store: Store, officer: UserInfo, case_id: int) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE))
    store.add_agency(officer, case_id, "healthcare")
    nurse = store.add_user("nils", PASS, agency="healthcare", role="clinician")
    with pytest.raises(NotFound):  # its own agency has no such assessment: another agency's date is not its to set
        store.set_reassessment(nurse, case_id, "domestic_violence", "v1", TODAY + timedelta(days=1))
    [a] = store.get_case(officer, case_id)["assessments"]
    assert a["reassess_by"] == (TODAY + timedelta(days=3)).isoformat()


def test_a_viewer_who_is_not_a_case_worker_cannot_change_it(store: Store, officer: UserInfo, case_id: int) -> None:
    store.save_assessment(officer, case_id, dv(SEVERE))
    boss = store.add_user("berit", PASS, agency="police", role="coordinator")
    with pytest.raises(PermissionDenied):
        store.set_reassessment(boss, case_id, "domestic_violence", "v1", TODAY + timedelta(days=1))


def test_the_case_list_filters_on_a_due_or_overdue_reassessment(
    store: Store, officer: UserInfo, case_id: int, clock: Clock
) -> None:
    later = store.create_case(officer, reference="K-2026-0301")
    store.add_person(officer, later, {"id": "v1", "role": "victim", "age": 40})
    store.add_person(officer, later, {"id": "s1", "role": "suspect", "age": 41})
    store.save_assessment(officer, case_id, dv(SEVERE))  # 3 days: due
    store.save_assessment(officer, later, dv({"dv.strangulation": "no"}), reassess_by=TODAY + timedelta(days=30))
    store.create_case(officer, reference="K-2026-0302")  # nothing assessed: never due
    assert {c.reference for c in store.list_cases(officer).items} == {"K-2026-0300", "K-2026-0301", "K-2026-0302"}
    due = store.list_cases(officer, reassessment_due=True)
    assert [c.reference for c in due.items] == ["K-2026-0300"] and due.total == 1
    # a new version with a later date replaces the due one: only the latest version counts
    store.save_assessment(officer, case_id, dv(SEVERE), base_version=1, reassess_by=TODAY + timedelta(days=20))
    assert store.list_cases(officer, reassessment_due=True).items == []
    clock.advance(days=10)  # ten days on: neither is due yet
    assert store.list_cases(officer, reassessment_due=True).items == []
    clock.advance(days=8)  # day 18: the first is due (day 20), the other (day 30) not
    assert [c.reference for c in store.list_cases(officer, reassessment_due=True).items] == ["K-2026-0300"]
    clock.advance(days=10)  # day 28: the first overdue, the other due
    assert {c.reference for c in store.list_cases(officer, reassessment_due=True).items} == {
        "K-2026-0300",
        "K-2026-0301",
    }
    # another agency's date is not this agency's to do
    nurse = store.add_user("nils", PASS, agency="healthcare", role="clinician")
    assert store.list_cases(nurse, reassessment_due=True).items == []

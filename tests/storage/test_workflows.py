"""The workflows' case records end to end: a concern report as made, a consent withdrawn, an organisation brought
in, a person corrected or removed, an account re-enabled, an 'other' action with its own text, the export."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from risk.errors import InputError
from risk.storage import AuthError, PermissionDenied, Store
from risk.storage.accounts import UserInfo
from tests.storage.conftest import Clock

PASS = "a long passphrase"


@pytest.fixture
def officer(store: Store) -> UserInfo:
    return store.add_user("anna", PASS, agency="police", role="officer")


@pytest.fixture
def case_id(store: Store, officer: UserInfo) -> int:
    cid = store.create_case(officer, reference="K-2026-0142")
    store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 31, "gender": "female"})
    store.add_person(officer, cid, {"id": "s1", "role": "suspect", "age": 35, "gender": "male"})
    store.add_person(officer, cid, {"id": "c1", "role": "child", "age": 4})
    store.add_person(officer, cid, {"id": "c2", "role": "child", "age": 6})
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    store.save_assessment(officer, cid, dv, reassess_by=date(2026, 12, 10))
    return cid


def actions_of(audit: list[dict[str, Any]]) -> list[str]:
    return [e["action"] for e in audit]


def test_a_concern_report_is_kept_as_made_when_where_how_and_by_whom(
    store: Store, officer: UserInfo, case_id: int, clock: Clock
) -> None:
    made = clock.now - timedelta(hours=2)  # phoned in at the scene, recorded afterwards
    store.report_concern(officer, case_id, "c1", reported_at=made, municipality=" Malmö ", method="phone")
    [report] = store.concern_reports(officer, case_id)
    assert report == {
        "child": "c1",
        "from_agency": "police",
        "from_organisation": "police",
        "to_organisation": "social_services",
        "municipality": "Malmö",
        "method": "phone",
        "reported_at": made.isoformat(timespec="minutes"),
        "recorded_at": report["recorded_at"],
        "by": "anna",
    }
    assert store.get_case(officer, case_id)["concern_reports"] == ["c1"]
    assert "concern_report" in actions_of(store.audit_entries(officer, case_id))


def test_a_concern_report_with_wrong_details_is_refused_naming_each(
    store: Store, officer: UserInfo, case_id: int, clock: Clock
) -> None:
    with pytest.raises(InputError) as err:
        store.report_concern(
            officer, case_id, "c1", reported_at=clock.now + timedelta(days=1), municipality="  ", method="fax"
        )
    fields = [p.split(":")[0] for p in err.value.problems]
    assert fields == ["reported_at", "municipality", "method"]
    assert store.concern_reports(officer, case_id) == []


def test_a_withdrawn_consent_stays_in_the_history_and_the_step_needs_consent_again(store: Store, clock: Clock) -> None:
    nurse = store.add_user("eva", PASS, agency="healthcare", role="clinician")
    cid = store.create_case(nurse, reference="AK-1", context="emergency_department")
    store.add_person(nurse, cid, {"id": "v1", "role": "victim", "age": 31, "gender": "female"})
    dv = {"checklist": "domestic_violence", "subject": "v1", "answers": {"dv.stalking": "yes"}}
    store.save_assessment(nurse, cid, dv)

    def consent_of_step() -> str:
        steps = store.assess_case(nurse, cid)["steps"]
        return str(next(s for s in steps if s["id"] == "healthcare.police_contact_with_consent")["consent"])

    assert consent_of_step() == "required"
    store.record_consent(nurse, cid, "v1", ["police"])
    assert consent_of_step() == "given"
    clock.advance(hours=1)
    store.withdraw_consent(nurse, cid, "v1", "police")
    assert consent_of_step() == "required"  # the engine no longer counts it
    assert store.get_case(nurse, cid)["consents"] == []
    [kept] = store.consent_history(nurse, cid)
    assert (kept["person"], kept["to_organisation"], kept["active"]) == ("v1", "police", False)
    assert kept["recorded_by"] == kept["withdrawn_by"] == "eva"
    assert kept["withdrawn_at"] > kept["recorded_at"]
    with pytest.raises(InputError, match="no active consent"):
        store.withdraw_consent(nurse, cid, "v1", "police")
    assert "withdraw_consent" in actions_of(store.audit_entries(nurse, cid))


def test_an_organisation_is_brought_into_the_case_once_and_sees_it(
    store: Store, officer: UserInfo, case_id: int
) -> None:
    soc = store.add_user("sara", PASS, agency="social_services", role="social_worker")
    with pytest.raises(PermissionDenied):
        store.get_case(soc, case_id)
    assert store.add_organisation_to_case(officer, case_id, "social_services") == "social_services"
    assert "social_services" in store.get_case(soc, case_id)["organisations"]
    with pytest.raises(InputError, match="already takes part"):
        store.add_organisation_to_case(soc, case_id, "social_services")
    with pytest.raises(InputError, match="neither an agency nor an organisation"):
        store.add_organisation_to_case(officer, case_id, "no-such-org")
    assert "add_organisation_to_case" in actions_of(store.audit_entries(officer, case_id))


def test_a_person_is_corrected_with_the_earlier_values_kept(store: Store, officer: UserInfo, case_id: int) -> None:
    after = store.correct_person(officer, case_id, "c2", {"age": 16, "gender": "female"})
    assert after == {"id": "c2", "role": "child", "age": 16, "gender": "female"}
    assert {"id": "c2", "role": "child", "age": 16, "gender": "female"} in store.get_case(officer, case_id)["persons"]
    [change] = store.person_history(officer, case_id)
    assert change["before"] == {"id": "c2", "role": "child", "age": 6}
    assert (change["change"], change["by"]) == ("corrected", "anna")
    with pytest.raises(InputError) as err:
        store.correct_person(officer, case_id, "c2", {"age": 300, "name": "Kim"})
    assert [p.split(":")[0] for p in err.value.problems] == ["name"]  # unknown fields first, nothing saved
    with pytest.raises(InputError, match=r"person\.age"):
        store.correct_person(officer, case_id, "c2", {"age": 300})
    with pytest.raises(InputError, match="nothing to correct"):
        store.correct_person(officer, case_id, "c2", {"age": 16})
    assert len(store.person_history(officer, case_id)) == 1


def test_a_person_is_removed_only_when_nothing_names_them(store: Store, officer: UserInfo, case_id: int) -> None:
    with pytest.raises(InputError) as err:
        store.remove_person(officer, case_id, "v1")
    assert "1 assessments" in err.value.problems[0] and "correct the person" in err.value.problems[0]
    store.report_concern(officer, case_id, "c1")
    with pytest.raises(InputError, match="1 concern reports"):
        store.remove_person(officer, case_id, "c1")
    store.remove_person(officer, case_id, "c2")
    assert [p["id"] for p in store.get_case(officer, case_id)["persons"]] == ["v1", "s1", "c1"]
    [removed] = store.person_history(officer, case_id)
    assert (removed["person"], removed["change"], removed["after"]) == ("c2", "removed", None)
    assert removed["before"] == {"id": "c2", "role": "child", "age": 6}
    with pytest.raises(InputError, match="no person 'c2'"):
        store.remove_person(officer, case_id, "c2")
    assert "remove_person" in actions_of(store.audit_entries(officer, case_id))
    assert store.verify_audit() == []


def test_only_those_in_the_case_correct_its_persons(store: Store, officer: UserInfo, case_id: int) -> None:
    other = store.add_user("olle", PASS, agency="healthcare", role="clinician")
    with pytest.raises(PermissionDenied):
        store.correct_person(other, case_id, "c2", {"age": 7})
    coordinator = store.add_user("kim", PASS, agency="social_services", role="coordinator")
    store.add_organisation_to_case(officer, case_id, "social_services")
    store.correct_person(coordinator, case_id, "c2", {"age": 7})


def test_a_disabled_account_is_enabled_again_by_an_admin(store: Store) -> None:
    admin = store.add_user("root", PASS, agency="police", role="admin")
    store.add_user("bo", PASS, agency="police", role="officer")
    store.disable_user("bo", by=admin)
    with pytest.raises(AuthError):
        store.authenticate("bo", PASS)
    store.enable_user("bo", by=admin)
    assert store.authenticate("bo", PASS).username == "bo"
    assert not next(u for u in store.list_users(admin) if u["username"] == "bo")["disabled"]
    with pytest.raises(InputError, match="not disabled"):
        store.enable_user("bo", by=admin)
    bo = store.authenticate("bo", PASS)
    with pytest.raises(PermissionDenied):
        store.enable_user("bo", by=bo)


def test_another_action_has_its_own_text(store: Store, officer: UserInfo, case_id: int) -> None:
    with pytest.raises(InputError, match="note: say what the other action is"):
        store.add_action(officer, case_id, "other", "police", "Patrull 2150", None)
    item = store.add_action(officer, case_id, "other", "police", "Patrull 2150", None, note=" Hämta nycklar ")
    [action] = store.list_actions(officer, case_id)
    assert (action["item"], action["step_id"], action["note"]) == (item, "other", "Hämta nycklar")
    store.update_action(officer, case_id, item, base_version=1, status="done")  # a status change needs no text
    with pytest.raises(InputError, match="note"):
        store.update_action(officer, case_id, item, base_version=2, note="")


def test_the_export_holds_the_plan_and_the_reassessment_date_and_is_audited(
    store: Store, officer: UserInfo, case_id: int
) -> None:
    store.add_action(officer, case_id, "police.restraining_order", "police", "Utredare", date(2026, 11, 20))
    exported = store.export_case(officer, case_id)
    [action] = exported["actions"]
    assert (action["due_date"], action["overdue"]) == ("2026-11-20", True)  # the clock is at 2026-11-27
    assert exported["assessments"][0]["reassess_by"] == "2026-12-10"
    assert "export_case" in actions_of(store.audit_entries(officer, case_id))

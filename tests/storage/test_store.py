"""The storage service end to end: cases, versions, drafts, conflicts, consents, actions, retention."""

from __future__ import annotations

from datetime import date

import pytest

from risk.errors import InputError
from risk.storage import AuthError, ConflictError, NotFound, PermissionDenied, Store
from tests.storage.conftest import Clock

PASS = "a long passphrase"


def dv(answers: dict[str, str]) -> dict[str, object]:
    return {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers}


@pytest.fixture
def officer(store: Store):  # type: ignore[no-untyped-def]
    store.add_user("anna", PASS, agency="police", role="officer")
    return store.authenticate("anna", PASS)


@pytest.fixture
def case_id(store: Store, officer) -> int:  # type: ignore[no-untyped-def]
    cid = store.create_case(officer, reference="K-2026-0142")
    store.add_person(officer, cid, {"id": "v1", "role": "victim", "age": 31, "gender": "female"})
    store.add_person(officer, cid, {"id": "s1", "role": "suspect", "age": 35, "gender": "male"})
    store.add_person(officer, cid, {"id": "c1", "role": "child", "age": 4})
    return cid


def test_contract_round_trip(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    v1 = store.save_assessment(officer, case_id, dv({"dv.strangulation": "yes"}), base_version=None)
    both = {"dv.strangulation": "yes", "dv.escalation": "yes"}
    v2 = store.save_assessment(officer, case_id, dv(both), base_version=1)
    assert (v1, v2) == (1, 2)
    case = store.get_case(officer, case_id)
    assert case["context"] == "police_intake" and case["reference"] == "K-2026-0142"
    [a] = case["assessments"]
    assert (a["version"], a["agency"], a["answers"]["dv.escalation"]) == (2, "police", "yes")
    assert a["saved_at"]
    history = store.assessment_history(officer, case_id, "domestic_violence", "v1")
    assert [h["version"] for h in history] == [1, 2]
    assert [h["computed_level"] for h in history] == ["high", "severe"]
    result = store.assess_case(officer, case_id)
    assert result["overall_level"] == "severe"
    assert "police.child_concern_report" in [s["id"] for s in result["steps"]]
    assert store.verify_audit() == []


def test_stale_save_is_a_conflict_and_both_versions_are_kept(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.add_user("bo", PASS, agency="police", role="officer")
    bo = store.authenticate("bo", PASS)
    store.save_assessment(officer, case_id, dv({"dv.stalking": "yes"}), base_version=None)
    store.save_assessment(officer, case_id, dv({"dv.stalking": "yes", "dv.escalation": "yes"}), base_version=1)
    with pytest.raises(ConflictError) as err:
        store.save_assessment(bo, case_id, dv({"dv.stalking": "no"}), base_version=1)
    assert err.value.latest_version == 2
    assert "kept" in str(err.value)
    kept = store.conflicts(bo, case_id)
    assert [(k["id"], k["answers"], k["conflict_with"]) for k in kept] == [
        (err.value.kept_id, {"dv.stalking": "no"}, 2)
    ]
    assert store.get_case(bo, case_id)["assessments"][0]["version"] == 2


def test_bad_assessment_writes_nothing(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        store.save_assessment(officer, case_id, dv({"dv.strangulation": "maybe", "dv.nope": "yes"}))
    assert len(err.value.problems) == 2
    assert store.get_case(officer, case_id)["assessments"] == []


def test_draft_survives_and_is_private(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.strangulation": "yes"}, about="s1")
    store.save_draft(officer, case_id, "domestic_violence", "v1", {"dv.strangulation": "yes", "dv.stalking": "no"})
    draft = store.get_draft(officer, case_id, "domestic_violence", "v1")
    assert draft is not None and draft["answers"] == {"dv.strangulation": "yes", "dv.stalking": "no"}
    store.add_user("bo", PASS, agency="police", role="officer")
    bo = store.authenticate("bo", PASS)
    assert store.get_draft(bo, case_id, "domestic_violence", "v1") is None
    store.save_assessment(officer, case_id, dv(draft["answers"]))
    assert store.get_draft(officer, case_id, "domestic_violence", "v1") is None  # saved: the draft is done


def test_override_needs_a_reason_and_keeps_both_levels(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_assessment(officer, case_id, dv({"dv.coercive_control": "yes"}))
    with pytest.raises(InputError):
        store.save_override(officer, case_id, "domestic_violence", "v1", "high", "  ")
    store.save_override(officer, case_id, "domestic_violence", "v1", "high", "She says he has bought a gun.")
    result = store.assess_case(officer, case_id)
    [a] = result["assessments"]
    assert (a["computed_level"], a["level"], a["override_reason"]) == ("low", "high", "She says he has bought a gun.")
    assert [h["level"] for h in store.assessment_history(officer, case_id, "domestic_violence", "v1")] == ["high"]


def test_wrong_password_is_counted_and_slowed_down(store: Store, officer, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        with pytest.raises(AuthError, match="wrong username or password") as err:
            store.authenticate("anna", "not the passphrase")
        assert err.value.reason == "wrong_credentials"
    with pytest.raises(AuthError, match="try again in 30 seconds") as err:
        store.authenticate("anna", "not the passphrase")  # the fifth failure says the account is now locked
    assert (err.value.reason, err.value.wait_seconds) == ("locked", 30)
    with pytest.raises(AuthError, match="try again in") as err:
        store.authenticate("anna", PASS)  # locked even with the right password
    assert err.value.reason == "locked"
    clock.advance(seconds=31)
    assert store.authenticate("anna", PASS).username == "anna"
    assert store.list_users()[0]["failed_logins"] == 0


def test_unknown_user_and_disabled_account(store: Store, officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError):
        store.authenticate("nobody", PASS)
    store.disable_user("anna")
    with pytest.raises(AuthError, match="disabled"):
        store.authenticate("anna", PASS)


def test_account_problems_are_reported(store: Store) -> None:
    with pytest.raises(InputError) as err:
        store.add_user("x", "short", agency="army", role="general")
    assert len(err.value.problems) == 3


def test_actions_are_versioned_and_overdue_is_shown(store: Store, officer, case_id: int, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    item = store.add_action(
        officer, case_id, "police.child_concern_report", "police", "Insp. Berg", due_date=date(2026, 11, 26)
    )
    [a] = store.list_actions(officer, case_id)
    assert (a["version"], a["status"], a["overdue"]) == (1, "planned", True)
    assert store.list_cases(officer).items[0].overdue_actions == 1
    assert store.update_action(officer, case_id, item, base_version=1, status="done") == 2
    with pytest.raises(ConflictError):
        store.update_action(officer, case_id, item, base_version=1, status="cancelled")
    [a] = store.list_actions(officer, case_id)
    assert (a["version"], a["status"], a["overdue"]) == (2, "done", False)
    kinds = [e["kind"] for e in store.timeline(officer, case_id)]
    assert kinds.count("action") == 2
    with pytest.raises(InputError):
        store.add_action(officer, case_id, "x.y", "army", "", None, status="maybe")


def test_list_cases_is_paginated_and_searchable(store: Store, officer) -> None:  # type: ignore[no-untyped-def]
    for n in range(25):
        store.create_case(officer, reference=f"K-2026-{n:04d}")
    page = store.list_cases(officer, page=2, page_size=10)
    assert (page.total, len(page.items), page.items[0].reference) == (25, 10, "K-2026-0014")
    assert store.list_cases(officer, search="0007").total == 1


def test_retention_pseudonymises_old_cases_and_leaves_an_audit_entry(
    store: Store,
    officer,
    case_id: int,  # type: ignore[no-untyped-def]
    clock: Clock,
) -> None:
    store.save_assessment(officer, case_id, dv({"dv.strangulation": "yes"}))
    clock.advance(days=400)
    fresh = store.create_case(officer, reference="K-NEW")
    assert store.apply_retention(365) == [case_id]
    case = store.get_case(officer, case_id)
    assert case["reference"].startswith("pseudonym-") and case["assessments"][0]["answers"] == {}
    assert store.get_case(officer, fresh)["reference"] == "K-NEW"
    assert store.verify_audit() == []
    assert store.apply_retention(365, mode="delete") == []  # already pseudonymised
    clock.advance(days=400)
    assert set(store.apply_retention(365, mode="delete")) == {fresh}
    with pytest.raises(NotFound):
        store.get_case(officer, fresh)


def test_export_holds_every_version(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_assessment(officer, case_id, dv({"dv.strangulation": "yes"}))
    store.save_assessment(officer, case_id, dv({"dv.strangulation": "no"}), base_version=1)
    out = store.export_case(officer, case_id)
    assert [h["version"] for h in out["history"]["domestic_violence:v1"]] == [1, 2]
    assert out["persons"][0] == {"id": "v1", "role": "victim", "age": 31, "gender": "female"}


def test_every_read_is_audited(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.get_case(officer, case_id)
    admin = store.add_user("root", PASS, agency="police", role="admin")
    actions = [e["action"] for e in store.audit_entries(admin)]
    assert "read_case" in actions and "add_person" in actions and "create_case" in actions


def test_supervisor_sees_figures_never_a_person(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.save_assessment(officer, case_id, dv({"dv.strangulation": "yes"}))
    boss = store.add_user("chef", PASS, agency="police", role="supervisor")
    with pytest.raises(PermissionDenied):
        store.get_case(boss, case_id)
    with pytest.raises(PermissionDenied):
        store.list_cases(boss)
    stats = store.statistics(boss, by=("checklist", "agency", "level", "gender", "age_band"))
    assert "rows" not in stats  # counts only, and one assessment is too few to be shown
    assert stats["cells"] == [
        {
            "checklist": "domestic_violence",
            "agency": "police",
            "level": "high",
            "gender": "female",
            "age_band": "25-44",
            "count": None,
            "suppressed": True,
        }
    ]


def test_two_agencies_keep_their_own_versions_of_the_same_person(store: Store, officer, case_id: int) -> None:  # type: ignore[no-untyped-def]
    store.add_agency(officer, case_id, "social_services")
    soc = store.add_user("sara", PASS, agency="social_services", role="social_worker")
    store.record_consent(officer, case_id, "v1", ["social_services"])  # each holder records what opens its own
    store.record_consent(soc, case_id, "v1", ["police"])
    assert store.save_assessment(officer, case_id, dv({"dv.strangulation": "yes"})) == 1
    assert store.save_assessment(soc, case_id, dv({"dv.coercive_control": "yes"})) == 1  # no conflict across agencies
    assert store.save_assessment(soc, case_id, dv({"dv.coercive_control": "no"}), base_version=1) == 2
    case = store.get_case(officer, case_id)
    assert sorted((a["agency"], a["version"]) for a in case["assessments"]) == [("police", 1), ("social_services", 2)]
    store.save_override(soc, case_id, "domestic_violence", "v1", "moderate", "Controlled finances for years.")
    result = store.assess_case(officer, case_id)
    levels = {a["agency"]: (a["computed_level"], a["level"]) for a in result["assessments"]}
    assert levels == {"police": ("high", "high"), "social_services": ("low", "moderate")}

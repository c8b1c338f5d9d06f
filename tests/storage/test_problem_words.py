"""Every refusal a page can meet from the Store comes with a code and its parameters, so the page says it in
Swedish or English (ui/problems.py) and never shows the Store's English or a generic message instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from risk.errors import InputError
from risk.storage import ConflictError, PermissionDenied, Store
from risk.storage.accounts import UserInfo
from risk.training import default_training
from ui.problems import problem_texts

PASS = "a long passphrase"
ENGLISH = (" the ", " is ", " not ", " has ", " may ", " with ", " no ")


@pytest.fixture
def officer(store: Store) -> UserInfo:
    return store.add_user("anna", PASS, agency="police", role="officer")


@pytest.fixture
def case_id(store: Store, officer: UserInfo) -> int:
    cid = store.create_case(officer, reference="K-2026-0142")
    for p in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "c1", "role": "child", "age": 4},
    ):
        store.add_person(officer, cid, p)
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    store.save_assessment(officer, cid, dv, reassess_by=date(2026, 12, 10))
    return cid


def refusals(store: Store, officer: UserInfo, cid: int) -> dict[str, Callable[[], Any]]:
    """A call for each refusal a page's form can meet, by the code expected first."""
    admin = store.add_user("root", PASS, agency="police", role="admin")
    worker = store.add_user("sara", PASS, agency="social_services", role="social_worker")
    nurse = store.add_user("vera", PASS, agency="healthcare", role="clinician")
    store.add_organisation_to_case(officer, cid, "social_services")
    item = store.add_action(officer, cid, "other", "police", "Patrull 1", None, note="Ring skolan")
    store.update_action(officer, cid, item, base_version=1, status="done")
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "no"}}
    practice_case = next(iter(default_training().cases))
    soon = store.clock() + timedelta(days=2)
    return {
        "not_a_child": lambda: store.report_concern(officer, cid, "v1"),
        "concern_future": lambda: store.report_concern(officer, cid, "c1", reported_at=soon),
        "concern_municipality_missing": lambda: store.report_concern(officer, cid, "c1", municipality=" "),
        "concern_from_social_services": lambda: store.report_concern(worker, cid, "c1"),
        "consent_not_active": lambda: store.withdraw_consent(officer, cid, "v1", "healthcare"),
        "consent_to_nobody": lambda: store.record_consent(officer, cid, "v1", []),
        "organisation_unknown": lambda: store.record_consent(officer, cid, "v1", ["nowhere"]),
        "person_unknown": lambda: store.record_consent(officer, cid, "x7", ["healthcare"]),
        "add_organisation_taking_part": lambda: store.add_organisation_to_case(officer, cid, "police"),
        "person_unchanged": lambda: store.correct_person(officer, cid, "v1", {"age": 31}),
        "person_invalid": lambda: store.correct_person(officer, cid, "v1", {"age": 300}),
        "person_named_in_records": lambda: store.remove_person(officer, cid, "v1"),
        "person_id_taken": lambda: store.add_person(officer, cid, {"id": "v1", "role": "victim"}),
        "share_basis_unknown": lambda: store.share_with_conference(officer, cid, "domestic_violence", "v1", "hm"),
        "share_consent_missing": lambda: store.share_with_conference(
            officer, cid, "domestic_violence", "v1", "consent"
        ),
        "action_note_missing": lambda: store.add_action(officer, cid, "other", "police", "", None),
        "action_changed": lambda: store.update_action(officer, cid, item, base_version=1, status="planned"),
        "override_reason_missing": lambda: store.save_override(officer, cid, "domestic_violence", "v1", "high", " "),
        "assessment_conflict": lambda: store.save_assessment(officer, cid, dv, base_version=0),
        "reference_missing": lambda: store.create_case(officer, reference=" "),
        "password_short": lambda: store.add_user("anna", "short", agency="police", role="officer", by=admin),
        "user_not_disabled": lambda: store.enable_user("anna", by=admin),
        "safety_plan_person_role": lambda: store.save_safety_plan(
            officer, cid, "s1", "victim", {"priorities": "Att barnen är trygga"}, "sv"
        ),
        "case_no_access": lambda: store.withdraw_consent(nurse, cid, "v1", "police"),
        "assign_trainer_only": lambda: store.assign_training(officer, "police", [practice_case]),
    }


def test_every_refusal_a_page_meets_is_said_in_swedish_and_english(
    store: Store, officer: UserInfo, case_id: int
) -> None:
    persons = {"v1": "v1 – utsatt, 31 år", "s1": "s1 – misstänkt, 35 år", "c1": "c1 – barn, 4 år"}
    for code, call in refusals(store, officer, case_id).items():
        with pytest.raises((InputError, PermissionDenied, ConflictError)) as refused:
            call()
        details = refused.value.details  # type: ignore[union-attr]
        assert details and details[0].code == code, (code, details)
        assert all(d.code for d in details), (code, details)
        sv, en = problem_texts(refused.value, "sv", persons), problem_texts(refused.value, "en")
        assert len(sv) == len(en) == len(details), code
        for text in sv:
            assert "E-" not in text and not any(w in f" {text} " for w in ENGLISH), (code, text)
        for text in en:
            assert "E-" not in text and not any(c in text for c in "åäö"), (code, text)
        assert str(refused.value) not in sv + en  # never the Store's English as it is

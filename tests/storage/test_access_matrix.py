"""Access control matrix: each role of each agency against each kind of record, with and without consent.

The expectations are written out here from the rules (issue 3), not computed by risk.storage.access.
Records in the case (made by agency):
  dv:v1      domestic_violence of the adult victim   (police)
  psy:v1     psychiatric of the adult victim          (healthcare)
  child:c1   child_welfare of the 4-year-old          (police)
"""

from __future__ import annotations

import itertools

import pytest

from risk.storage import NotFound, PermissionDenied, Store

PASS = "a long passphrase"
AGENCIES = ["police", "healthcare", "social_services", "school"]
ROLES = ["officer", "clinician", "social_worker", "coordinator", "supervisor", "admin"]
WORKERS = {"officer", "clinician", "social_worker"}
OWNER = {"dv:v1": "police", "psy:v1": "healthcare", "child:c1": "police"}
SCENARIOS = ["none", "consent", "concern_report", "conference_share", "consent_withdrawn"]


def expected(agency: str, role: str, scenario: str) -> set[str] | None:
    """The records this user sees; None when the case itself is closed to them."""
    if role in ("supervisor", "admin") or agency == "school":  # school is not part of this case
        return None
    seen = {r for r, owner in OWNER.items() if owner == agency}
    if role == "coordinator":
        if scenario == "conference_share":
            seen |= {"dv:v1", "psy:v1"}  # what police and health care shared with the conference
        return seen
    if scenario in ("consent", "consent_withdrawn"):
        # v1 consented to sharing with every agency; after withdrawal only versions saved before it stay shared
        seen |= {"dv:v1", "psy:v1"}
    if scenario == "concern_report" and agency == "social_services":
        seen |= {"child:c1"}
    return seen


def expected_versions(agency: str, role: str, scenario: str, record: str) -> int:
    if scenario == "consent_withdrawn" and OWNER[record] != agency and record != "child:c1":
        return 1  # version 2 was saved after the consent was withdrawn
    return 2


SHORT = {"domestic_violence": "dv", "psychiatric": "psy", "child_welfare": "child", "criminal_network": "cn"}


def label(a: dict) -> str:  # type: ignore[type-arg]
    return f"{SHORT[a['checklist']]}:{a['subject']}"


@pytest.fixture
def world(store: Store, clock):  # type: ignore[no-untyped-def]
    users = {}
    for agency, role in itertools.product(AGENCIES, ROLES):
        name = f"{role}.{agency}"
        store.add_user(name, PASS, agency=agency, role=role)
        users[(agency, role)] = store.authenticate(name, PASS)
    police, health = users[("police", "officer")], users[("healthcare", "clinician")]
    cid = store.create_case(police, reference="K-MATRIX")
    for person in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "c1", "role": "child", "age": 4},
    ):
        store.add_person(police, cid, person)
    store.add_agency(police, cid, "healthcare")
    store.add_agency(police, cid, "social_services")
    save = store.save_assessment
    save(
        police,
        cid,
        {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}},
    )
    save(health, cid, {"checklist": "psychiatric", "subject": "v1", "answers": {"psy.suicidal_thoughts": "yes"}})
    save(police, cid, {"checklist": "child_welfare", "subject": "c1", "answers": {"child.witnessed_violence": "yes"}})
    return store, users, cid


def _second_versions(store: Store, users, cid: int) -> None:  # type: ignore[no-untyped-def]
    police, health = users[("police", "officer")], users[("healthcare", "clinician")]
    store.save_assessment(
        police,
        cid,
        {
            "checklist": "domestic_violence",
            "subject": "v1",
            "about": "s1",
            "answers": {"dv.strangulation": "yes", "dv.stalking": "yes"},
        },
        base_version=1,
    )
    store.save_assessment(
        health,
        cid,
        {"checklist": "psychiatric", "subject": "v1", "answers": {"psy.suicidal_thoughts": "no"}},
        base_version=1,
    )
    store.save_assessment(
        police,
        cid,
        {
            "checklist": "child_welfare",
            "subject": "c1",
            "answers": {"child.witnessed_violence": "yes", "child.neglect": "no"},
        },
        base_version=1,
    )


def _set_up(scenario: str, store: Store, users, cid: int, clock) -> None:  # type: ignore[no-untyped-def]
    police, health = users[("police", "officer")], users[("healthcare", "clinician")]
    if scenario in ("consent", "consent_withdrawn"):
        store.record_consent(police, cid, "v1", ["police", "healthcare", "social_services"])
    if scenario == "concern_report":
        store.report_concern(police, cid, "c1")
    if scenario == "conference_share":
        store.share_with_conference(police, cid, "domestic_violence", "v1", basis="osl_10_18c")
        store.share_with_conference(health, cid, "psychiatric", "v1", basis="osl_10_18c")
    if scenario == "consent_withdrawn":
        for agency in ("police", "healthcare", "social_services"):
            store.withdraw_consent(police, cid, "v1", agency)
        clock.advance(seconds=1)
    _second_versions(store, users, cid)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_access_matrix(world, clock, scenario: str) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    _set_up(scenario, store, users, cid, clock)
    for (agency, role), user in users.items():
        want = expected(agency, role, scenario)
        if want is None:
            with pytest.raises(PermissionDenied):
                store.get_case(user, cid)
            continue
        case = store.get_case(user, cid)
        got = {label(a) for a in case["assessments"]}
        assert got == want, (agency, role, scenario)
        for a in case["assessments"]:
            assert a["version"] == expected_versions(agency, role, scenario, label(a)), (agency, role, label(a))


@pytest.mark.parametrize("role", ROLES)
def test_roles_and_case_lists(world, role: str) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    user = users[("police", role)]
    if role in ("supervisor", "admin"):
        with pytest.raises(PermissionDenied):
            store.list_cases(user)
    else:
        assert [c.id for c in store.list_cases(user).items] == [cid]
    if role in WORKERS:
        store.save_assessment(
            user, cid, {"checklist": "criminal_network", "subject": "s1", "answers": {"cn.involvement": "no"}}
        )
    else:
        with pytest.raises(PermissionDenied):
            store.save_assessment(user, cid, {"checklist": "criminal_network", "subject": "s1", "answers": {}})
    if role == "admin":
        assert len(store.list_users(user)) == len(AGENCIES) * len(ROLES)
    else:
        with pytest.raises(PermissionDenied):
            store.list_users(user)
    if role in ("supervisor", "admin", "coordinator"):
        assert store.statistics(user)["rows"]
    else:
        with pytest.raises(PermissionDenied):
            store.statistics(user)


def test_another_agency_cannot_override_or_share_what_it_did_not_make(world) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    health = users[("healthcare", "clinician")]
    with pytest.raises(NotFound):  # health care has no domestic-violence assessment of v1 of its own
        store.save_override(health, cid, "domestic_violence", "v1", "low", "Not our assessment")
    with pytest.raises(PermissionDenied):
        store.share_with_conference(health, cid, "domestic_violence", "v1", basis="osl_10_18c")


def test_denied_access_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    with pytest.raises(PermissionDenied):
        store.get_case(users[("school", "officer")], cid)
    admin = users[("police", "admin")]
    assert "access_denied" in [e["action"] for e in store.audit_entries(admin)]
    assert store.verify_audit() == []

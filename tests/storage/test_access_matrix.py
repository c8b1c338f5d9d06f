"""Access control matrix: each role of each organisation against each kind of record, in each scenario.

The expectations are written out here from the rules, not computed by risk.storage.access. Organisations:
two police organisations (polis_syd takes part, polis_vast does not), two health-care regions (region_a takes
part, with its clinic region_a.akuten as a unit; region_b does not), one social services (soc_malmo), a school
(not in the case). Records in the case (saved by):
  dv:v1      domestic_violence of the adult victim   (polis_syd)
  psy:v1     psychiatric of the adult victim          (region_a)
  child:c1   child_welfare of the 4-year-old          (polis_syd)
"""

from __future__ import annotations

import itertools

import pytest

from risk.storage import NotFound, PermissionDenied, Store

PASS = "a long passphrase"
ORGS = {  # key: (agency, parent)
    "polis_syd": ("police", None),
    "polis_vast": ("police", None),
    "region_a": ("healthcare", None),
    "region_a.akuten": ("healthcare", "region_a"),
    "region_b": ("healthcare", None),
    "soc_malmo": ("social_services", None),
    "school": ("school", None),
}
AGENCIES = sorted({a for a, _ in ORGS.values()})
ROLES = ["officer", "clinician", "social_worker", "coordinator", "supervisor", "admin"]
WORKERS = {"officer", "clinician", "social_worker"}
OWNER = {"dv:v1": "polis_syd", "psy:v1": "region_a", "child:c1": "polis_syd"}
IN_CASE = {"polis_syd", "region_a", "region_a.akuten", "soc_malmo"}
SCENARIOS = [
    "none",
    "consent",
    "consent_signed",
    "self_granted_consent",
    "concern_report",
    "self_filed_concern_report",
    "conference_share",
    "consent_withdrawn",
]


def holder(org: str) -> str:
    return "region_a" if org == "region_a.akuten" else org  # a clinic's records are held by its region


def expected(org: str, role: str, scenario: str) -> set[str] | None:
    """The records this user sees; None when the case itself is closed to them."""
    if role in ("supervisor", "admin") or org not in IN_CASE:  # polis_vast, region_b and school are not in it
        return None
    seen = {r for r, owner in OWNER.items() if owner == holder(org)}
    if role == "coordinator":
        if scenario == "conference_share":
            seen |= {"dv:v1", "psy:v1"}  # what polis_syd and region_a shared with the conference
        return seen
    if scenario in ("consent", "conference_share", "consent_withdrawn"):
        # each holder recorded v1's consent to share its own records with the others in the case
        seen |= {"dv:v1", "psy:v1"}
    if scenario == "consent_signed" and holder(org) == "region_a":
        seen |= {"dv:v1"}  # region_a recorded it for polis_syd's records, with the signed form's reference
    if scenario == "concern_report" and org == "soc_malmo":
        seen |= {"child:c1"}
    return seen


def expected_versions(org: str, role: str, scenario: str, record: str) -> int:
    if scenario == "consent_withdrawn" and OWNER[record] != holder(org):
        return 1  # version 2 was saved after the consent was withdrawn
    return 2


SHORT = {"domestic_violence": "dv", "psychiatric": "psy", "child_welfare": "child", "criminal_network": "cn"}


def label(a: dict) -> str:  # type: ignore[type-arg]
    return f"{SHORT[a['checklist']]}:{a['subject']}"


@pytest.fixture
def world(store: Store, clock):  # type: ignore[no-untyped-def]
    for key, (agency, parent) in ORGS.items():
        if key != agency:
            store.add_organisation(key, key.replace("_", " ").title(), agency, parent=parent)
    users = {}
    for (org, (agency, _)), role in itertools.product(ORGS.items(), ROLES):
        name = f"{role}.{org}"
        store.add_user(name, PASS, agency=agency, role=role, organisation=org)
        users[(org, role)] = store.authenticate(name, PASS)
    police, health = users[("polis_syd", "officer")], users[("region_a", "clinician")]
    cid = store.create_case(police, reference="K-MATRIX")
    for person in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "c1", "role": "child", "age": 4},
    ):
        store.add_person(police, cid, person)
    store.add_agency(police, cid, "healthcare", organisation="region_a")
    store.add_agency(police, cid, "social_services")  # the only social services: no need to name it
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
    police, health = users[("polis_syd", "officer")], users[("region_a", "clinician")]
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
    police, health = users[("polis_syd", "officer")], users[("region_a", "clinician")]
    soc = users[("soc_malmo", "social_worker")]
    if scenario in ("consent", "conference_share", "consent_withdrawn"):
        store.record_consent(police, cid, "v1", ["healthcare", "social_services"])
        store.record_consent(health, cid, "v1", ["polis_syd", "soc_malmo"])
    if scenario == "consent_signed":
        store.record_consent(
            health, cid, "v1", ["region_a"], holder="polis_syd", signed_reference="Samtycke 2026-11-27, journal 17"
        )
    if scenario == "self_granted_consent":
        # health care records v1's consent "to health care", and social services theirs: it opens only their own
        store.record_consent(health, cid, "v1", ["healthcare"])
        store.record_consent(soc, cid, "v1", ["soc_malmo", "healthcare"])
        with pytest.raises(PermissionDenied):  # naming the police as holder needs the signed consent's reference
            store.record_consent(health, cid, "v1", ["region_a"], holder="polis_syd")
    if scenario == "concern_report":
        store.report_concern(police, cid, "c1")
    if scenario == "self_filed_concern_report":
        with pytest.raises(PermissionDenied):
            store.report_concern(soc, cid, "c1")
    if scenario == "conference_share":
        store.share_with_conference(police, cid, "domestic_violence", "v1", basis="consent")
        store.share_with_conference(health, cid, "psychiatric", "v1", basis="consent")
    if scenario == "consent_withdrawn":
        for agency in ("police", "healthcare", "social_services"):
            store.withdraw_consent(police, cid, "v1", agency)
        clock.advance(seconds=1)
    _second_versions(store, users, cid)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_access_matrix(world, clock, scenario: str) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    _set_up(scenario, store, users, cid, clock)
    for (org, role), user in users.items():
        want = expected(org, role, scenario)
        if want is None:
            with pytest.raises(PermissionDenied):
                store.get_case(user, cid)
            continue
        case = store.get_case(user, cid)
        got = {label(a) for a in case["assessments"]}
        assert got == want, (org, role, scenario)
        for a in case["assessments"]:
            assert a["version"] == expected_versions(org, role, scenario, label(a)), (org, role, label(a))
        history = {
            label(a): store.assessment_history(user, cid, a["checklist"], a["subject"]) for a in case["assessments"]
        }
        assert all(len(h) == expected_versions(org, role, scenario, k) for k, h in history.items())


@pytest.mark.parametrize("role", ROLES)
def test_roles_and_case_lists(world, role: str) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    user = users[("polis_syd", role)]
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
        assert len(store.list_users(user)) == len(ORGS) * len(ROLES)
    else:
        with pytest.raises(PermissionDenied):
            store.list_users(user)
    if role in ("supervisor", "admin", "coordinator"):
        stats = store.statistics(user)
        assert "rows" not in stats and stats["cells"]
        assert all(c["count"] is None or c["count"] >= stats["min_cell"] for c in stats["cells"])
    else:
        with pytest.raises(PermissionDenied):
            store.statistics(user)


def test_another_agency_cannot_override_or_share_what_it_did_not_make(world) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    health = users[("region_a", "clinician")]
    with pytest.raises(NotFound):  # health care has no domestic-violence assessment of v1 of its own
        store.save_override(health, cid, "domestic_violence", "v1", "low", "Not our assessment")
    with pytest.raises(PermissionDenied):
        store.share_with_conference(health, cid, "domestic_violence", "v1", basis="osl_10_18c")


def test_denied_access_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    store, users, cid = world
    with pytest.raises(PermissionDenied):
        store.get_case(users[("school", "officer")], cid)
    admin = users[("polis_syd", "admin")]
    assert "access_denied" in [e["action"] for e in store.audit_entries(admin)]
    assert store.verify_audit() == []

"""Organisations, self-granted access, the action plan and timeline, and aggregate statistics, as an attacker
would try them: every way an organisation could open another's records to itself is refused, and the lawful
way still works. Runs on SQLite and PostgreSQL (the `store` fixture).

Organisations: polis_syd and polis_vast (police), region_a with its clinic region_a.akuten and region_b
(health care), soc_malmo and soc_lund (social services). The case K-ORG is polis_syd's, shared with region_a
and soc_malmo only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from risk.errors import InputError
from risk.storage import ConflictError, NotFound, PermissionDenied, Store, UserInfo

PASS = "a long passphrase"
ORGS = {
    "polis_syd": ("police", None),
    "polis_vast": ("police", None),
    "region_a": ("healthcare", None),
    "region_a.akuten": ("healthcare", "region_a"),
    "region_b": ("healthcare", None),
    "soc_malmo": ("social_services", None),
    "soc_lund": ("social_services", None),
}
WORKER = {"police": "officer", "healthcare": "clinician", "social_services": "social_worker"}
DV = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
PSY = {"checklist": "psychiatric", "subject": "v1", "answers": {"psy.suicidal_thoughts": "yes"}}
CHILD = {"checklist": "child_welfare", "subject": "c1", "answers": {"child.witnessed_violence": "yes"}}


@dataclass
class World:
    store: Store
    cid: int
    users: dict[str, UserInfo]  # by organisation key (a case worker), plus "<org>:<role>" for other roles

    def __getitem__(self, name: str) -> UserInfo:
        return self.users[name]

    def seen(self, who: str) -> set[str]:
        case = self.store.get_case(self.users[who], self.cid)
        return {f"{a['checklist']}:{a['subject']}@{a['organisation']}" for a in case["assessments"]}


@pytest.fixture
def world(store: Store) -> World:
    users: dict[str, UserInfo] = {}
    for key, (agency, parent) in ORGS.items():
        store.add_organisation(key, key.replace("_", " ").title(), agency, parent=parent)
        for role in (WORKER[agency], "coordinator", "supervisor", "admin"):
            name = f"{key}:{role}"
            store.add_user(name, PASS, agency=agency, role=role, organisation=key)
            users[name] = store.authenticate(name, PASS)
        users[key] = users[f"{key}:{WORKER[agency]}"]
    police, health = users["polis_syd"], users["region_a"]
    cid = store.create_case(police, reference="K-ORG")
    for person in (
        {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
        {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        {"id": "c1", "role": "child", "age": 4},
    ):
        store.add_person(police, cid, person)
    store.add_agency(police, cid, "healthcare", organisation="region_a")
    store.add_agency(police, cid, "social_services", organisation="soc_malmo")
    store.save_assessment(police, cid, DV)
    store.save_assessment(police, cid, CHILD)
    store.save_assessment(health, cid, PSY)
    return World(store, cid, users)


# --- organisations ---------------------------------------------------------------------------------------------


def test_a_case_shared_with_region_a_is_closed_to_region_b_and_the_other_police(world: World) -> None:
    store, cid = world.store, world.cid
    for outsider in ("region_b", "polis_vast", "soc_lund", "region_b:coordinator", "polis_vast:coordinator"):
        with pytest.raises(PermissionDenied):
            store.get_case(world[outsider], cid)
        assert store.list_cases(world[outsider]).items == []
        with pytest.raises(PermissionDenied):
            store.timeline(world[outsider], cid)
        with pytest.raises(PermissionDenied):
            store.list_actions(world[outsider], cid)
    assert world.seen("region_a") == {"psychiatric:v1@region_a"}
    assert world.seen("region_a.akuten") == {"psychiatric:v1@region_a"}  # a clinic of region A: in the case
    assert [c.id for c in store.list_cases(world["region_a.akuten"]).items] == [cid]


def test_an_agency_with_several_organisations_must_be_named(world: World) -> None:
    store, cid = world.store, world.cid
    with pytest.raises(InputError) as e:
        store.add_agency(world["polis_syd"], cid, "healthcare")  # region_a or region_b?
    assert "region_a" in str(e.value) and "region_b" in str(e.value)
    with pytest.raises(InputError):
        store.add_agency(world["polis_syd"], cid, "healthcare", organisation="soc_lund")  # not health care
    with pytest.raises(InputError):
        store.add_user("x", PASS, agency="police", role="officer", organisation="region_a")
    with pytest.raises(InputError):
        store.add_organisation("region_a.psyk", "Psykiatri", "police", parent="region_a")


def test_consent_names_one_organisation(world: World) -> None:
    store, cid = world.store, world.cid
    store.record_consent(world["polis_syd"], cid, "v1", ["healthcare"])  # the one health care in the case: region_a
    assert "domestic_violence:v1@polis_syd" in world.seen("region_a")
    assert "domestic_violence:v1@polis_syd" in world.seen("region_a.akuten")
    store.add_agency(world["polis_syd"], cid, "healthcare", organisation="region_b")
    assert world.seen("region_b") == set()  # the consent named region A, not health care at large
    with pytest.raises(InputError):  # two regions in the case now: say which
        store.record_consent(world["polis_syd"], cid, "v1", ["healthcare"])
    case = store.get_case(world["polis_syd"], cid)
    assert case["consents"] == [{"person": "v1", "to_share_with": ["healthcare"], "to_organisations": ["region_a"]}]
    assert sorted(case["organisations"]) == ["polis_syd", "region_a", "region_b", "soc_malmo"]


# --- self-granting path 1: consent recorded by the one who wants to read ---------------------------------------


def test_health_care_cannot_consent_its_way_into_the_police_assessment(world: World) -> None:
    store, cid = world.store, world.cid
    health = world["region_a"]
    store.record_consent(health, cid, "v1", ["healthcare"])  # "to health care", recorded by health care
    store.record_consent(health, cid, "v1", ["region_a", "polis_syd"])
    assert world.seen("region_a") == {"psychiatric:v1@region_a"}  # it opens health care's own records only
    assert "psychiatric:v1@region_a" in world.seen("polis_syd")  # ...to the police, as recorded
    with pytest.raises(PermissionDenied):  # naming the police as the holder needs the signed consent
        store.record_consent(health, cid, "v1", ["region_a"], holder="polis_syd")
    with pytest.raises(PermissionDenied):
        store.record_consent(health, cid, "v1", ["region_a"], holder="polis_syd", signed_reference="   ")
    assert world.seen("region_a") == {"psychiatric:v1@region_a"}
    admin = world["polis_syd:admin"]
    assert "consent_refused" in [e["action"] for e in store.audit_entries(admin)]

    # the lawful ways: the police record it, or health care records it with the signed consent's reference
    store.record_consent(health, cid, "v1", ["region_a"], holder="polis_syd", signed_reference="Blankett 2026-11-27")
    assert "domestic_violence:v1@polis_syd" in world.seen("region_a")


# --- self-granting path 2: a concern report "to itself" --------------------------------------------------------


def test_social_services_cannot_report_concern_to_themselves(world: World) -> None:
    store, cid = world.store, world.cid
    soc = world["soc_malmo"]
    with pytest.raises(PermissionDenied):
        store.report_concern(soc, cid, "c1")
    with pytest.raises(PermissionDenied):  # a report goes to social services, not to health care
        store.report_concern(world["polis_syd"], cid, "c1", to="region_a")
    with pytest.raises(PermissionDenied):  # nor from a coordinator
        store.report_concern(world["polis_syd:coordinator"], cid, "c1")
    assert world.seen("soc_malmo") == set()
    assert store.get_case(world["polis_syd"], cid)["concern_reports"] == []

    store.report_concern(world["polis_syd"], cid, "c1")  # the lawful way: from the police to soc_malmo
    assert world.seen("soc_malmo") == {"child_welfare:c1@polis_syd"}
    with pytest.raises(PermissionDenied):  # soc_lund was not reported to and is not in the case
        store.get_case(world["soc_lund"], cid)


def test_a_concern_report_opens_only_the_reporters_records_of_the_child(world: World) -> None:
    store, cid = world.store, world.cid
    store.save_assessment(world["region_a"], cid, {**CHILD, "answers": {"child.neglect": "yes"}})
    store.report_concern(world["region_a"], cid, "c1", to="soc_malmo")
    assert world.seen("soc_malmo") == {"child_welfare:c1@region_a"}


# --- self-granting path 3: a conference share on a consent that names someone else -----------------------------


def test_a_conference_share_needs_a_basis_covering_every_recipient(world: World) -> None:
    store, cid = world.store, world.cid
    police, coordinator = world["polis_syd"], world["soc_malmo:coordinator"]
    store.record_consent(police, cid, "v1", ["region_a"])  # the only consent names health care
    with pytest.raises(InputError) as e:
        store.share_with_conference(police, cid, "domestic_violence", "v1", basis="consent")
    assert "soc_malmo" in str(e.value)
    store.record_consent(world["soc_malmo"], cid, "v1", ["soc_malmo"])  # recorded by social services, for theirs
    with pytest.raises(InputError):  # a consent someone else recorded does not open the police's records
        store.share_with_conference(police, cid, "domestic_violence", "v1", basis="osl_12_2")
    with pytest.raises(InputError):
        store.share_with_conference(police, cid, "domestic_violence", "v1", basis="brb_4_3")  # not a conference basis
    assert world.seen("soc_malmo:coordinator") == set()

    store.record_consent(police, cid, "v1", ["soc_malmo"])  # the lawful way
    store.share_with_conference(police, cid, "domestic_violence", "v1", basis="consent")
    assert world.seen("soc_malmo:coordinator") == {"domestic_violence:v1@polis_syd"}
    assert store.get_case(coordinator, cid)["assessments"][0]["visible_because"] == "shared_with_conference"
    with pytest.raises(PermissionDenied):  # health care cannot share what the police hold
        store.share_with_conference(world["region_a"], cid, "domestic_violence", "v1", basis="consent")


# --- action plan and timeline ----------------------------------------------------------------------------------


def test_action_plan_and_timeline_follow_the_same_rules(world: World) -> None:
    store, cid = world.store, world.cid
    police = world["polis_syd"]
    secret = store.add_action(
        police, cid, "police.restraining_order", "police", "Utredare Karin Ek", date(2026, 12, 1), note="Hot mot v1"
    )
    handed = store.add_action(police, cid, "social_services.protected_housing", "social_services", "Soc jour", None)

    def items(who: str) -> set[str]:
        return {a["item"] for a in store.list_actions(world[who], cid)}

    def timeline_actions(who: str) -> set[str]:
        return {e["what"] for e in store.timeline(world[who], cid) if e["kind"] == "action"}

    assert items("polis_syd") == {secret, handed}
    assert items("soc_malmo") == {handed}  # social services own that action; the police's own item stays hidden
    assert items("region_a") == set()
    assert items("soc_malmo:coordinator") == {secret, handed}  # the conference's plan
    assert timeline_actions("region_a") == set()
    assert timeline_actions("soc_malmo") == {"social_services.protected_housing"}
    assert not [e for e in store.timeline(world["region_a"], cid) if e["what"] == "domestic_violence:v1"]
    with pytest.raises(NotFound):  # an item it may not see cannot be changed either, nor found
        store.update_action(world["region_a"], cid, secret, 1, status="done")
    assert store.update_action(world["soc_malmo"], cid, handed, 1, status="in_progress") == 2
    exported = store.export_case(world["region_a"], cid)
    assert exported["actions"] == [] and "Hot mot v1" not in str(exported)

    store.record_consent(police, cid, "v1", ["region_a"])
    assert {e["what"] for e in store.timeline(world["region_a"], cid)} >= {"domestic_violence:v1"}


# --- statistics ------------------------------------------------------------------------------------------------


def _many_assessments(world: World, n_police: int, n_health: int) -> None:
    store = world.store
    for i in range(max(n_police, n_health)):
        cid = store.create_case(world["polis_syd"], reference=f"K-STAT-{i}")
        store.add_person(world["polis_syd"], cid, {"id": "v1", "role": "victim", "age": 30 + i, "gender": "female"})
        store.add_agency(world["polis_syd"], cid, "healthcare", organisation="region_a")
        dv = {k: v for k, v in DV.items() if k != "about"}
        if i < n_police:
            store.save_assessment(world["polis_syd"], cid, dv)
        if i < n_health:
            store.save_assessment(world["region_a.akuten"], cid, dv)


@pytest.mark.parametrize(
    "who", ["polis_syd", "region_a", "soc_malmo", "polis_syd:coordinator", "polis_syd:supervisor", "region_a:admin"]
)
def test_statistics_are_aggregates_with_small_cells_suppressed_for_every_role(world: World, who: str) -> None:
    _many_assessments(world, n_police=6, n_health=2)
    store, user = world.store, world[who]
    if user.role in ("officer", "clinician", "social_worker"):
        with pytest.raises(PermissionDenied):
            store.statistics(user)
        return
    for by in (("agency",), ("checklist", "level"), ("agency", "gender", "age_band"), ("level",)):
        stats = store.statistics(user, by=by)
        assert set(stats) == {"by", "min_cell", "scope", "cells"}  # no rows, ever
        for cell in stats["cells"]:
            assert set(cell) == {*by, "count", "suppressed"}
            assert cell["count"] is None or cell["count"] >= 5
            assert cell["suppressed"] == (cell["count"] is None)
    by_agency = {c["agency"]: c["count"] for c in store.statistics(user, by=("agency",))["cells"]}
    if user.role == "admin":  # every organisation: 8 police and 3 health care, so both are hidden
        assert by_agency == {"police": None, "healthcare": None}
    else:  # the user's own organisation only: 6 here and the case's two
        assert by_agency == {"police": 8}
    with pytest.raises(InputError):
        store.statistics(user, by=("subject",))


def test_statistics_of_a_region_count_its_clinics(world: World) -> None:
    _many_assessments(world, n_police=0, n_health=5)
    stats = world.store.statistics(world["region_a:supervisor"], by=("agency",))
    assert stats["cells"] == [{"agency": "healthcare", "count": 6, "suppressed": False}]  # the case's one and 5
    assert world.store.statistics(world["region_b:supervisor"], by=("agency",))["cells"] == []


def test_two_police_organisations_in_one_case_keep_to_their_own(world: World) -> None:
    store, cid = world.store, world.cid
    store.add_agency(world["polis_syd"], cid, "police", organisation="polis_vast")
    vast = world["polis_vast"]
    assert world.seen("polis_vast") == set()  # in the case, but the assessments are polis_syd's
    with pytest.raises(PermissionDenied):  # nor may it change their level
        store.save_override(vast, cid, "domestic_violence", "v1", "low", "Not ours to change")
    with pytest.raises(PermissionDenied):
        store.share_with_conference(vast, cid, "domestic_violence", "v1", basis="consent")
    with pytest.raises(ConflictError):  # a stale save by polis_syd is kept as a conflict
        store.save_assessment(world["polis_syd"], cid, {**DV, "answers": {"dv.stalking": "yes"}}, base_version=0)
    assert store.conflicts(vast, cid) == []  # polis_syd's refused answers stay with polis_syd
    assert len(store.conflicts(world["polis_syd"], cid)) == 1

"""The pure access decisions of risk.storage.access, without a database: organisation trees, who may record a
fact that opens records, and small-cell suppression (with property tests: no count below the threshold is ever
given out, and none can be worked out from its row or column)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from risk.storage.access import (
    CaseAccess,
    ConcernFact,
    ConsentFact,
    Org,
    ShareFact,
    Viewer,
    action_basis,
    assessment_basis,
    can_open_case,
    conference_share_problems,
    root,
    statistics_scope,
    suppress_small_cells,
    within,
)

T0 = datetime(2026, 11, 27, 9, 0)
# 1 police A, 2 police B, 3 region A, 4 clinic of region A, 5 region B, 6 social services, 7 school
TREE = {
    1: Org(1, "police", None, "polis_syd"),
    2: Org(2, "police", None, "polis_vast"),
    3: Org(3, "healthcare", None, "region_a"),
    4: Org(4, "healthcare", 3, "region_a.akuten"),
    5: Org(5, "healthcare", None, "region_b"),
    6: Org(6, "social_services", None, "soc"),
    7: Org(7, "school", None, "school"),
}
AGENCY = {o.id: o.agency for o in TREE.values()}


def consent(
    to: int, holder: int, recorded_by: int, reference: str | None = None, withdrawn: bool = False
) -> ConsentFact:
    return ConsentFact("v1", to, holder, recorded_by, reference, T0, T0 + timedelta(hours=1) if withdrawn else None)


def case(**kw: object) -> CaseAccess:
    return CaseAccess({1, 3, 6}, TREE, **kw)  # type: ignore[arg-type]


def worker(org: int, role: str = "") -> Viewer:
    default = {"police": "officer", "healthcare": "clinician", "social_services": "social_worker"}
    return Viewer(role or default.get(AGENCY[org], "officer"), AGENCY[org], org)


def seen(viewer: Viewer, access: CaseAccess, holder: int = 1, subject: str = "v1", at: datetime = T0) -> str | None:
    return assessment_basis(viewer, access, checklist="domestic_violence", subject=subject, holder=holder, saved_at=at)


def test_tree() -> None:
    assert root(TREE, 4) == 3 and root(TREE, 3) == 3 and root(TREE, 99) == 99
    assert within(TREE, 4, 3) and within(TREE, 4, 4) and not within(TREE, 3, 4) and not within(TREE, 5, 3)
    looped = {1: Org(1, "police", 2), 2: Org(2, "police", 1)}
    assert not within(looped, 1, 3)  # a cycle in bad data ends, never loops
    root(looped, 1)


def test_who_opens_the_case() -> None:
    access = case()
    opens = {(org, role) for org in TREE for role in ("officer", "coordinator", "supervisor", "admin")}
    assert {(o, r) for o, r in opens if can_open_case(Viewer(r, AGENCY[o], o), access)} == {
        (o, r) for o in (1, 3, 4, 6) for r in ("officer", "coordinator")
    }


def test_consent_opens_only_what_its_recorder_holds_or_what_the_signed_consent_covers() -> None:
    # (to, holder, recorded_by, reference) -> does region A (3) see police A's (1) assessment?
    cases = {
        (3, 3, 3, None): False,  # health care "to itself", for its own records: nothing of the police's
        (3, 1, 3, None): False,  # health care names the police as holder without the signed consent
        (3, 1, 3, "form 17"): True,  # ...with the signed consent's reference
        (3, 1, 1, None): True,  # the police record it for their own records
        (3, 1, 6, None): False,  # social services record it for the police's records
        (5, 1, 1, None): False,  # consent to region B does not reach region A
        (1, 1, 1, None): False,  # consent to the police themselves opens nothing to health care
    }
    for (to, holder, by, ref), want in cases.items():
        access = case(consents=[consent(to, holder, by, ref)])
        assert (seen(worker(3), access) == "consent") is want, (to, holder, by, ref)
        assert (seen(worker(4), access) == "consent") is want, "a clinic of region A is covered as region A is"


def test_withdrawal_closes_what_is_saved_afterwards() -> None:
    access = case(consents=[consent(3, 1, 1, withdrawn=True)])
    assert seen(worker(3), access, at=T0 + timedelta(minutes=5)) == "consent"
    assert seen(worker(3), access, at=T0 + timedelta(hours=2)) is None


def test_concern_reports_open_the_reporters_records_to_the_social_services_reported_to() -> None:
    report = ConcernFact("c1", 1, 6)
    access = case(concern_reports=[report])
    assert seen(worker(6), access, subject="c1") == "concern_report"
    assert seen(worker(6), access, subject="v1") is None  # only the child's
    assert seen(worker(6), access, subject="c1", holder=3) is None  # only the reporter's records
    assert seen(worker(3), access, subject="c1") is None  # only social services
    self_filed = case(concern_reports=[ConcernFact("c1", 6, 6)])
    assert seen(worker(6), self_filed, subject="c1") is None
    to_health = case(concern_reports=[ConcernFact("c1", 1, 3)])
    assert seen(worker(3), to_health, subject="c1") is None


def test_conference_shares() -> None:
    share = ShareFact("domestic_violence", "v1", 1)
    access = case(conference_shares=[share])
    assert seen(worker(6, "coordinator"), access) == "shared_with_conference"
    assert seen(worker(6), access) is None  # the share reaches the coordinator, not every worker
    assert seen(worker(3, "coordinator"), access, holder=3) == "own_agency"

    def problems(consents: list[ConsentFact], basis: str = "consent") -> list[str]:
        return conference_share_problems(
            case(consents=consents), holder=1, subject="v1", basis=basis, conference_bases={"sol_sip"}
        )

    assert problems([consent(3, 1, 1)]) and "soc" in problems([consent(3, 1, 1)])[0]
    assert problems([consent(3, 1, 1), consent(6, 1, 1)]) == []
    assert problems([consent(3, 1, 1), consent(6, 1, 6)])  # social services' own recording opens nothing
    assert problems([consent(3, 1, 1), consent(6, 1, 1, withdrawn=True)])
    assert problems([consent(3, 1, 1), consent(6, 1, 1)], basis="osl_12_2") == []
    assert problems([], basis="sol_sip") == []
    assert problems([], basis="osl_10_18c")


def test_action_plan_items() -> None:
    access = case()
    assert action_basis(worker(1), access, holder=1, owner_agency="police") == "own_agency"
    assert action_basis(worker(6), access, holder=1, owner_agency="social_services") == "action_owner"
    assert action_basis(worker(3), access, holder=1, owner_agency="police") is None
    assert action_basis(worker(3, "coordinator"), access, holder=1, owner_agency="police") == "case_conference"
    assert action_basis(worker(5), access, holder=1, owner_agency="healthcare") is None  # region B: not in the case


def test_statistics_scope() -> None:
    assert [statistics_scope(Viewer(r, "police", 1)) for r in ("officer", "supervisor", "coordinator", "admin")] == [
        None,
        "organisation",
        "organisation",
        "all",
    ]


def test_suppression_hides_small_cells_and_one_more_per_row_and_column() -> None:
    levels = ("low", "moderate", "high", "severe")
    counts = {
        **{("dv", lv): n for lv, n in zip(levels, (3, 7, 12, 8), strict=True)},
        **{("psy", lv): n for lv, n in zip(levels, (20, 6, 9, 10), strict=True)},
    }
    out = suppress_small_cells(counts)
    # 3 is too small; 20 beside it in its column, and 7 and 6 in the rows, so that none can be worked out
    assert {k for k, n in out.items() if n is None} == {
        ("dv", "low"),
        ("psy", "low"),
        ("dv", "moderate"),
        ("psy", "moderate"),
    }
    assert out[("dv", "high")] == 12 and out[("psy", "severe")] == 10
    assert suppress_small_cells({}) == {}
    assert suppress_small_cells({("a",): 5, ("b",): 6}) == {("a",): 5, ("b",): 6}


cell_counts = st.dictionaries(
    st.tuples(st.sampled_from(["dv", "psy", "cw"]), st.sampled_from(["low", "moderate", "high", "severe"])),
    st.integers(min_value=1, max_value=30),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(cell_counts)
def test_no_small_count_is_shown_or_derivable(counts: dict[tuple[str, str], int]) -> None:
    out = suppress_small_cells(counts)
    assert set(out) == set(counts)
    for key, n in out.items():
        assert n is None or (n == counts[key] and n >= 5)
    for dim in range(2):  # no row or column holds exactly one hidden cell beside shown ones
        groups: dict[str, list[tuple[str, str]]] = {}
        for key in out:
            groups.setdefault(key[1 - dim], []).append(key)
        for keys in groups.values():
            hidden = [k for k in keys if out[k] is None]
            if len(hidden) == 1:
                assert len(keys) == 1, "a lone hidden cell could be worked out from its row total"

"""Who may add an organisation to a case, correct a person or remove one: pure decisions of access.py."""

from __future__ import annotations

from risk.storage.access import (
    CaseAccess,
    Org,
    Viewer,
    add_organisation_problems,
    person_change_problems,
    person_removal_problems,
)

# 1 police, 2 region A, 3 a clinic of region A, 4 region B, 5 social services
TREE = {
    1: Org(1, "police", None, "polis_syd"),
    2: Org(2, "healthcare", None, "region_a"),
    3: Org(3, "healthcare", 2, "region_a.akuten"),
    4: Org(4, "healthcare", None, "region_b"),
    5: Org(5, "social_services", None, "soc"),
}
CASE = CaseAccess(organisations={1, 3}, tree=TREE)  # the police and one clinic of region A take part


def test_a_case_worker_or_coordinator_in_the_case_brings_in_another_organisation() -> None:
    for role in ("officer", "coordinator"):
        assert add_organisation_problems(Viewer(role, "police", 1), CASE, TREE[5]) == []
    assert add_organisation_problems(Viewer("clinician", "healthcare", 3), CASE, TREE[4]) == []


def test_no_one_outside_the_case_and_no_supervisor_or_admin_adds_one() -> None:
    [outside] = add_organisation_problems(Viewer("clinician", "healthcare", 4), CASE, TREE[5])
    assert outside.startswith("case: only someone who takes part")
    for role in ("supervisor", "admin"):
        [why] = add_organisation_problems(Viewer(role, "police", 1), CASE, TREE[5])
        assert why.startswith(f"user: a {role} does not add organisations")


def test_an_organisation_already_taking_part_itself_or_through_its_parent_is_not_added_twice() -> None:
    officer = Viewer("officer", "police", 1)
    [again] = add_organisation_problems(officer, CASE, TREE[1])
    assert again == "organisation: polis_syd already takes part in the case (as polis_syd)"
    wider = CaseAccess(organisations={1, 2}, tree=TREE)  # region A itself takes part: its clinic is covered
    [through] = add_organisation_problems(officer, wider, TREE[3])
    assert "region_a.akuten already takes part in the case (as region_a)" in through
    assert add_organisation_problems(officer, CASE, TREE[2]) == []  # the clinic takes part, its region does not


def test_persons_are_corrected_by_those_in_the_case_who_register_persons() -> None:
    assert person_change_problems(Viewer("officer", "police", 1), CASE) == []
    assert person_change_problems(Viewer("coordinator", "healthcare", 3), CASE) == []
    assert person_change_problems(Viewer("social_worker", "social_services", 5), CASE) != []  # not in the case
    assert person_change_problems(Viewer("admin", "police", 1), CASE) != []


def test_a_person_is_removed_only_when_no_record_names_them_and_the_message_says_which_do() -> None:
    assert person_removal_problems("x1", {"assessments": 0, "consents": 0}) == []
    [why] = person_removal_problems("v1", {"assessments": 2, "drafts": 0, "consents": 1})
    assert why.startswith("person: v1 cannot be removed: 2 assessments, 1 consents of this case name them")
    assert "correct the person's role, age or gender instead" in why

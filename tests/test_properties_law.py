"""Properties of consent and legal bases that must hold for every case (issue: safe advice).

Only the person the information is about can waive its secrecy (OSL 12 kap. 2 §): consent from anyone
else never changes a step's consent value, and never opens a police step about someone else. Every
legal basis a step cites is a provision of law.yaml with the date it was checked.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from risk import assess
from risk.checklists import default_checklists
from risk.rules import default_rules
from risk.vocabulary import Agency, Context

CHECKLISTS = default_checklists()
RULES = default_rules()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONTEXTS = [c.value for c in Context]
AGENCIES = [a.value for a in Agency]
PERSONS = [
    {"id": "v1", "role": "victim", "age": 31},
    {"id": "s1", "role": "suspect", "age": 35},
    {"id": "c1", "role": "child", "age": 9},
    {"id": "r1", "role": "relative", "age": 62},  # her mother: in the case, but nothing is about her
]


def answers(checklist: str) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(
        st.sampled_from(list(CHECKLISTS[checklist].items)), st.sampled_from(["yes", "no", "unknown"])
    )


def consents(person: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(st.sampled_from(AGENCIES), min_size=1, unique=True).map(
        lambda to: [{"person": person, "to_share_with": to}]
    )


def run(context: str, assessments: list[dict[str, Any]], given_consents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    case = {"context": context, "persons": PERSONS, "assessments": assessments, "consents": given_consents}
    return [s.model_dump(mode="json") for s in assess(case).steps]


@SETTINGS
@given(
    st.sampled_from(CONTEXTS),
    answers("domestic_violence"),
    st.one_of(st.none(), answers("child_welfare")),
    consents("r1"),
)
def test_consent_from_a_person_no_assessment_is_about_changes_no_step(context, dv, cw, her_mothers) -> None:
    """Her mother is in the case but nothing assessed is about her: her consent changes nothing at all."""
    assessments = [{"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": dv}]
    if cw is not None:
        assessments.append({"checklist": "child_welfare", "subject": "c1", "answers": cw})
    assert run(context, assessments, her_mothers) == run(context, assessments, [])


@SETTINGS
@given(
    st.sampled_from(CONTEXTS),
    answers("domestic_violence"),
    answers("psychiatric"),
    consents("s1"),
    st.one_of(st.just([]), consents("v1")),
)
def test_a_persons_consent_changes_only_steps_about_that_person(context, dv, psy, his_consent, her_consent) -> None:
    """He is assessed too (psychiatry): his consent may open what concerns him, never what concerns only her."""
    assessments = [
        {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": dv},
        {"checklist": "psychiatric", "subject": "s1", "answers": psy},
    ]
    before = {s["id"]: s for s in run(context, assessments, her_consent)}
    after = {s["id"]: s for s in run(context, assessments, her_consent + his_consent)}
    for sid in before.keys() & after.keys():
        if "s1" not in before[sid]["persons"] and "s1" not in after[sid]["persons"]:
            assert before[sid]["consent"] == after[sid]["consent"], sid
    for sid in after.keys() - before.keys():
        if sid.startswith("police."):
            assert "s1" in after[sid]["persons"], (sid, after[sid]["because"])


@SETTINGS
@given(
    st.sampled_from(CONTEXTS),
    st.lists(st.sampled_from(sorted(CHECKLISTS)), min_size=1, max_size=3, unique=True).flatmap(
        lambda names: st.tuples(*(answers(n).map(lambda a, n=n: (n, a)) for n in names))
    ),
)
def test_every_legal_basis_of_a_step_is_a_checked_provision_of_law_yaml(context, picked) -> None:
    subjects = {
        "domestic_violence": "v1",
        "psychiatric": "s1",
        "child_welfare": "c1",
        "criminal_network": "v1",
        "sexual_violence": "v1",
        "warning_behaviours": "s1",
    }
    assessments = [{"checklist": name, "subject": subjects[name], "answers": a} for name, a in picked]
    for s in run(context, assessments, []):
        refs = [*s["legal_references"], *(r for refs in s["legal_basis_by_agency"].values() for r in refs)]
        assert s["legal_basis"] == [r["citation"] for r in s["legal_references"]], s["id"]
        for ref in refs:
            provision = RULES.provisions[ref["id"]]
            assert provision.checked.date is not None and provision.checked.by, ref["id"]
            assert (ref["citation"], ref["verified"]) == (provision.citation, provision.verified)

"""A concern-report step is done for a child once its own agency's report about that child is recorded."""

from __future__ import annotations

from risk.concern_reports import concern_report_status
from risk.engine import assess
from risk.models import Step

PERSONS = [
    {"id": "v1", "role": "victim", "age": 31},
    {"id": "s1", "role": "suspect", "age": 35},
    {"id": "c1", "role": "child", "age": 4},
    {"id": "y1", "role": "relative", "age": 16},  # under 18: a child for the duty to report
]


def steps_of(persons: list[dict[str, object]]) -> list[Step]:
    """The steps of a police intake with a domestic-violence assessment."""
    dv = {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
    return assess({"context": "police_intake", "persons": persons, "assessments": [dv]}).steps


def test_every_child_needs_the_report_until_it_is_made_by_the_agency_whose_step_it_is() -> None:
    steps = steps_of(PERSONS)
    before = concern_report_status(steps, PERSONS, [])
    assert [(s.step, s.child, s.made) for s in before] == [
        ("police.child_concern_report", "c1", False),
        ("police.child_concern_report", "y1", False),
    ]
    by_healthcare = {"child": "c1", "from_agency": "healthcare"}
    by_police = {"child": "c1", "from_agency": "police", "municipality": "Malmö"}
    after = concern_report_status(steps, PERSONS, [by_healthcare, by_police])
    assert [(s.child, s.made) for s in after] == [("c1", True), ("y1", False)]  # still listed: it was needed
    assert after[0].reports == [by_police]  # health care's report is not the police's


def test_no_concern_report_step_no_status() -> None:
    assert concern_report_status(steps_of(PERSONS[:2]), PERSONS[:2], []) == []

"""Which children the engine's concern-report steps still need a report for, and which reports were made.

A concern report (orosanmälan, SoL 14 kap. 1 §) is each reporting agency's own duty: a report by the police does
not fulfil health care's. So a concern-report step of an agency is done for a child once a report about that child
from that agency is recorded; the step stays in the result (it was needed), marked done for that child.
Steps are recognised by their legal basis in checklists/steps.yaml, not by their ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from risk.models import Step

CONCERN_REPORT_BASIS = "sol_concern_report"


@dataclass(frozen=True)
class ChildReport:
    """One child under one agency's concern-report step: the reports made, none while one is still needed."""

    step: str
    agency: str
    child: str
    reports: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return bool(self.reports)


def is_child(person: Mapping[str, Any]) -> bool:
    """As the Store decides who a concern report may be about: role child, or under 18."""
    age = person.get("age")
    return person.get("role") == "child" or (age is not None and int(age) < 18)


def concern_report_status(
    steps: Iterable[Step], persons: Iterable[Mapping[str, Any]], reports: Iterable[Mapping[str, Any]]
) -> list[ChildReport]:
    """Every child of the case under every concern-report step of the result, with the reports its agency made.

    `reports` as the Store lists them (`concern_reports`: child, from_agency, ...)."""
    children = [p["id"] for p in persons if is_child(p)]
    made = list(reports)
    return [
        ChildReport(
            step.id,
            step.agency,
            child,
            [r for r in made if r["child"] == child and r["from_agency"] == step.agency],
        )
        for step in steps
        if any(ref.id == CONCERN_REPORT_BASIS for ref in step.legal_references)
        for child in children
    ]

"""The stable identifiers of ../shared/domain/vocabulary.md as enums.

They are a contract with integrators: values may be added, never renamed.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class RiskLevel(StrEnum):
    """Ordered levels. There is deliberately no "no risk": `low` means nothing found so far."""

    low = "low"
    moderate = "moderate"
    high = "high"
    severe = "severe"

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(self)

    @classmethod
    def from_rank(cls, rank: int) -> RiskLevel:
        return LEVEL_ORDER[rank]


LEVEL_ORDER: list[RiskLevel] = [RiskLevel.low, RiskLevel.moderate, RiskLevel.high, RiskLevel.severe]


def max_level(*levels: RiskLevel) -> RiskLevel:
    return max(levels, key=lambda lv: lv.rank) if levels else RiskLevel.low


class Answer(StrEnum):
    yes = "yes"
    no = "no"
    unknown = "unknown"


class Context(StrEnum):
    police_intake = "police_intake"
    emergency_department = "emergency_department"
    ambulance = "ambulance"
    primary_care = "primary_care"
    dental_care = "dental_care"
    psychiatry = "psychiatry"
    social_services = "social_services"
    case_conference = "case_conference"
    # Added for issue 10 (care settings with their own guidance); appended, as the contract allows.
    child_adolescent_psychiatry = "child_adolescent_psychiatry"
    antenatal_child_health = "antenatal_child_health"
    addiction_care = "addiction_care"


class Agency(StrEnum):
    police = "police"
    healthcare = "healthcare"
    social_services = "social_services"
    school = "school"
    victim_support = "victim_support"
    prosecutor = "prosecutor"
    prison_probation = "prison_probation"


class PersonRole(StrEnum):
    victim = "victim"
    suspect = "suspect"
    child = "child"
    relative = "relative"
    other = "other"


class Gender(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = "unknown"


class Urgency(StrEnum):
    immediate = "immediate"
    same_day = "same_day"
    within_week = "within_week"
    planned = "planned"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


class ConsentStatus(StrEnum):
    not_required = "not_required"
    required = "required"
    given = "given"


class Language(StrEnum):
    sv = "sv"
    en = "en"


def allowed(enum: type[Enum]) -> str:
    """The allowed values of an enum, for error messages that say what to write instead."""
    return ", ".join(str(m.value) for m in enum)

"""A small declarative condition language for level rules, flags and collaboration steps.

Conditions are YAML mappings with exactly one operator key, parsed into objects once
at load time and evaluated against facts; nothing is ever `eval`-ed. Every condition
that holds says *because* of what (item ids, levels, flags, person ids), so each
level, flag and step can show where it came from.

Scopes: `answers` (inside one checklist while it is scored), `assessment` (one scored
assessment and its subject), `case` (the whole case). An operator may only be used
where its facts exist; a misplaced one is a load error.

Writing an operator: say why with structured reasons (`risk.models.Reason`), from which
the string form of `because` that integrators read is derived, so the two never differ:

    return Because.of(Reason(kind="item", item=i, checklist=a.checklist, subject=a.subject.id), persons=(pid,))

The older form `Because(reasons=("some_string",), persons=(...))` still works; its strings are
kept as they are and reach the result as reasons of kind `other` (pages show them as ids), so
prefer `Because.of` for anything a person reads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from pydantic import PlainValidator, WithJsonSchema

from risk.models import Reason, ReasonKind, assessment_key
from risk.vocabulary import Agency, Answer, Context, PersonRole, RiskLevel

SCOPES = ("answers", "assessment", "case")
BoolArray = npt.NDArray[np.bool_]


class ConditionError(ValueError):
    """A condition that does not parse; the message names the path inside the rule."""


@dataclass(frozen=True)
class Because:
    """Why a condition holds: reasons as strings (`because`), the persons concerned, and the same reasons as
    structured data (`facts`). Build it with `Because.of(Reason(...), ...)` so the strings derive from the data."""

    reasons: tuple[str, ...] = ()
    persons: tuple[str, ...] = ()
    facts: tuple[Reason, ...] = ()

    @classmethod
    def of(cls, *facts: Reason, persons: Iterable[str] = ()) -> Because:
        """From structured reasons: the string form of each is its `code`."""
        return cls(_merge((), [f.code for f in facts]), _merge((), list(persons)), facts)

    def __or__(self, other: Because) -> Because:
        # facts may repeat here; `structured` drops repeats once, at the end
        return Because(
            _merge(self.reasons, other.reasons), _merge(self.persons, other.persons), self.facts + other.facts
        )

    def structured(self) -> list[Reason]:
        """Every reason as data, in the order of `reasons`; a string no structured reason gives is kind `other`."""
        by_code: dict[str, list[Reason]] = {}
        for f in dict.fromkeys(self.facts):
            by_code.setdefault(f.code, []).append(f)
        out: list[Reason] = []
        for code in self.reasons:
            out += by_code.get(code) or [Reason(kind="other", text=code)]
        return out


def _merge(a: Sequence[str], b: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*a, *b]))


@dataclass
class PersonFacts:
    id: str
    role: PersonRole
    age: int | None
    unborn: bool = False  # a registered expected child: not yet covered by the duty to report

    @property
    def is_child(self) -> bool:
        """Under 18 whatever role they were registered with; with no age, a person registered as a child.

        An 18-year-old registered as a child is not a child, and an unborn child is not yet one in law.
        """
        if self.unborn:
            return False
        return self.age < 18 if self.age is not None else self.role is PersonRole.child

    def has_role(self, roles: Iterable[PersonRole]) -> bool:
        """Role `child` means being a child (is_child); the other roles are the registered one."""
        return any(self.is_child if r is PersonRole.child else self.role is r for r in roles)


@dataclass
class AssessmentFacts:
    checklist: str
    subject: PersonFacts
    about: list[str]
    answers: Mapping[str, Answer]
    critical_items: frozenset[str]
    section_levels: Mapping[str, RiskLevel] = field(default_factory=dict)
    level: RiskLevel | None = None
    agency: str | None = None  # the agency that made it (recorded, or the context's)
    completeness: float = 1.0
    critical_not_known: list[str] = field(default_factory=list)
    outside_population: str | None = None  # why the subject is outside the validated population
    named_agency: str | None = None  # set where several agencies assessed this person with this checklist
    named_about: str | None = None  # set where this person was assessed with this checklist about several persons
    population_note: str | None = None  # the notes of the validated-population limits the subject falls outside
    population_age: int | None = None  # the subject's age, where an age limit is one of them
    floor: RiskLevel | None = None  # the least level critical items and level rules set
    final_level: RiskLevel | None = None  # the level after a professional's change (`level` never goes below floor)

    def reason(self, kind: ReasonKind, **fields: Any) -> Reason:
        """A reason about this assessment: checklist, subject, and about and agency where the key names them."""
        return Reason(
            kind=kind,
            checklist=self.checklist,
            subject=self.subject.id,
            about=self.named_about,
            agency=self.named_agency,
            **fields,
        )

    @property
    def key(self) -> str:
        """checklist:subject, and @agency where several agencies assessed the same person with this checklist.

        The same function names the assessment in every reason's string form (`Reason.code`)."""
        return assessment_key(self.checklist, self.subject.id, self.named_agency, self.named_about)


@dataclass
class CaseFacts:
    context: Context
    persons: dict[str, PersonFacts]
    assessments: list[AssessmentFacts]
    flags: dict[str, Because] = field(default_factory=dict)
    overall_level: RiskLevel = RiskLevel.low
    steps: dict[str, str] = field(default_factory=dict)  # step id -> agency, in order suggested
    consents: dict[str, set[str]] = field(default_factory=dict)  # person id -> agencies consented to
    missing_checklists: list[tuple[str, str]] = field(default_factory=list)  # (checklist, subject) required


@dataclass
class Facts:
    case: CaseFacts | None = None
    assessment: AssessmentFacts | None = None


@dataclass
class VectorFacts:
    """Many assessments of one checklist at once, for batch scoring."""

    yes: BoolArray  # (rows, items)
    item_index: Mapping[str, int]
    critical: BoolArray  # (items,)
    section_levels: Mapping[str, npt.NDArray[np.int8]]

    @functools.cached_property
    def critical_yes(self) -> npt.NDArray[np.int64]:
        """How many critical items each row answered yes: column by column, as `yes & critical` summed over
        each row is ten times slower on a column-major `yes` (what batch scoring passes)."""
        counts = np.zeros(self.yes.shape[0], dtype=np.int64)
        for j in np.flatnonzero(self.critical):
            counts += self.yes[:, j]
        return counts


class Condition:
    scope: str = "case"

    def holds(self, facts: Facts) -> Because | None:
        raise NotImplementedError

    def vector(self, facts: VectorFacts) -> BoolArray:
        raise ConditionError(f"{type(self).__name__} cannot be used in batch scoring")


def _ass(facts: Facts) -> AssessmentFacts:
    assert facts.assessment is not None
    return facts.assessment


def _case(facts: Facts) -> CaseFacts:
    assert facts.case is not None
    return facts.case


# ---- combinators -----------------------------------------------------------------


@dataclass
class All(Condition):
    parts: list[Condition]

    def holds(self, facts: Facts) -> Because | None:
        because = Because()
        for part in self.parts:
            got = part.holds(facts)
            if got is None:
                return None
            because = because | got
        return because

    def vector(self, facts: VectorFacts) -> BoolArray:
        out = np.ones(facts.yes.shape[0], dtype=bool)
        for part in self.parts:
            out &= part.vector(facts)
        return out


@dataclass
class AnyOf(Condition):
    parts: list[Condition]

    def holds(self, facts: Facts) -> Because | None:
        found = [got for part in self.parts if (got := part.holds(facts)) is not None]
        if not found:
            return None
        because = Because()
        for got in found:
            because = because | got
        return because

    def vector(self, facts: VectorFacts) -> BoolArray:
        out = np.zeros(facts.yes.shape[0], dtype=bool)
        for part in self.parts:
            out |= part.vector(facts)
        return out


@dataclass
class Not(Condition):
    part: Condition

    def holds(self, facts: Facts) -> Because | None:
        return Because() if self.part.holds(facts) is None else None

    def vector(self, facts: VectorFacts) -> BoolArray:
        return ~self.part.vector(facts)


# ---- answers scope ---------------------------------------------------------------


@dataclass
class YesAny(Condition):
    """Any of the items answered yes."""

    ids: list[str]
    scope = "answers"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        hit = [i for i in self.ids if a.answers.get(i) is Answer.yes]
        return Because.of(*(a.reason("item", item=i) for i in hit)) if hit else None

    def vector(self, facts: VectorFacts) -> BoolArray:
        cols = [facts.item_index[i] for i in self.ids]
        return np.asarray(facts.yes[:, cols].any(axis=1))


@dataclass
class YesAll(Condition):
    ids: list[str]
    scope = "answers"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        ok = all(a.answers.get(i) is Answer.yes for i in self.ids)
        return Because.of(*(a.reason("item", item=i) for i in self.ids)) if ok else None

    def vector(self, facts: VectorFacts) -> BoolArray:
        cols = [facts.item_index[i] for i in self.ids]
        return np.asarray(facts.yes[:, cols].all(axis=1))


@dataclass
class AnsweredUnknown(Condition):
    """Any of the items answered unknown (asked, not known or refused): never the same as no."""

    ids: list[str]
    scope = "answers"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        hit = [i for i in self.ids if a.answers.get(i) is Answer.unknown]
        return Because.of(*(a.reason("item_unknown", item=i) for i in hit)) if hit else None


@dataclass
class CountYes(Condition):
    """At least n of the entries (or of the checklist's critical items) answered yes.

    An entry is one item, or a group of items that counts once however many of them are yes:
    an instrument question that covers two of our items (the Lethality Screen's "jealous or
    controls daily activities") must not be counted twice.
    """

    groups: list[tuple[str, ...]] | None  # None: the checklist's critical items, each on its own
    at_least: int
    scope = "answers"

    @property
    def ids(self) -> list[str] | None:
        """Every item id named, groups flattened (for load-time reference checks)."""
        return None if self.groups is None else [i for group in self.groups for i in group]

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        groups = [(i,) for i in sorted(a.critical_items)] if self.groups is None else self.groups
        hits = [[i for i in group if a.answers.get(i) is Answer.yes] for group in groups]
        counted = [hit for hit in hits if hit]
        if len(counted) < self.at_least:
            return None
        return Because.of(*(a.reason("item", item=i) for hit in counted for i in hit))

    def vector(self, facts: VectorFacts) -> BoolArray:
        if self.groups is None:
            counts = facts.critical_yes
        else:
            counts = np.zeros(facts.yes.shape[0], dtype=np.int64)
            for group in self.groups:
                cols = [facts.item_index[i] for i in group]
                counts += facts.yes[:, cols[0]] if len(cols) == 1 else facts.yes[:, cols].any(axis=1)
        return np.asarray(counts >= self.at_least)


@dataclass
class SectionLevelAtLeast(Condition):
    section: str
    level: RiskLevel
    scope = "answers"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        got = a.section_levels.get(self.section)
        if got is not None and got.rank >= self.level.rank:
            return Because.of(a.reason("section_level", section=self.section, level=got))
        return None

    def vector(self, facts: VectorFacts) -> BoolArray:
        return np.asarray(facts.section_levels[self.section] >= self.level.rank)


# ---- assessment scope ------------------------------------------------------------


@dataclass
class LevelAtLeast(Condition):
    level: RiskLevel
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        if a.level is not None and a.level.rank >= self.level.rank:
            return Because.of(a.reason("assessment_level", level=a.level), persons=(a.subject.id,))
        return None


@dataclass
class SubjectAge(Condition):
    below: int | None
    at_least: int | None
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        return _age_because(_ass(facts).subject, self.below, self.at_least)


def _age_because(person: PersonFacts, below: int | None, at_least: int | None) -> Because | None:
    """An unknown age matches nothing, except that a person with role child counts as under 18."""
    if person.age is None:
        if person.role is PersonRole.child and below is not None and below >= 18 and at_least is None:
            return Because.of(Reason(kind="person_role", person=person.id, role=person.role), persons=(person.id,))
        return None
    if below is not None and not person.age < below:
        return None
    if at_least is not None and not person.age >= at_least:
        return None
    return Because.of(Reason(kind="person_age", person=person.id, value=person.age), persons=(person.id,))


@dataclass
class SubjectRole(Condition):
    roles: list[PersonRole]
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        s = _ass(facts).subject
        return Because((), (s.id,)) if s.has_role(self.roles) else None


@dataclass
class AboutAssessment(Condition):
    """An assessment of the person this one is about (the suspect) satisfies `when`."""

    checklist: str
    when: Condition
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        case = _case(facts)
        about = a.about or [p.id for p in case.persons.values() if p.role is PersonRole.suspect]
        for other in case.assessments:
            if other.checklist == self.checklist and other.subject.id in about:
                got = self.when.holds(Facts(case, other))
                if got is not None:
                    return got | Because((), (other.subject.id,))
        return None


# ---- case scope ------------------------------------------------------------------


@dataclass
class ContextIn(Condition):
    contexts: list[Context]

    def holds(self, facts: Facts) -> Because | None:
        return Because() if _case(facts).context in self.contexts else None


@dataclass
class FlagRaised(Condition):
    ids: list[str]

    def holds(self, facts: Facts) -> Because | None:
        flags = _case(facts).flags
        hit = [f for f in self.ids if f in flags]
        if not hit:
            return None
        because = Because.of(*(Reason(kind="flag", flag=f) for f in hit))
        for f in hit:
            because = because | Because((), flags[f].persons)
        return because


@dataclass
class OverallLevelAtLeast(Condition):
    level: RiskLevel

    def holds(self, facts: Facts) -> Because | None:
        got = _case(facts).overall_level
        return Because.of(Reason(kind="overall", level=got)) if got.rank >= self.level.rank else None


@dataclass
class AnyAssessment(Condition):
    """Some assessment (of the given checklists, if named) satisfies `when`; all that do are named."""

    checklists_: list[str] | None
    when: Condition | None

    def holds(self, facts: Facts) -> Because | None:
        case = _case(facts)
        because: Because | None = None
        for a in case.assessments:
            if self.checklists_ is not None and a.checklist not in self.checklists_:
                continue
            got = Because() if self.when is None else self.when.holds(Facts(case, a))
            if got is not None:
                # name the assessment itself when its inner condition gave no reasons of its own
                got = got | Because.of(*(() if got.reasons else (a.reason("assessment"),)), persons=(a.subject.id,))
                because = got if because is None else because | got
        return because


@dataclass
class AnyPerson(Condition):
    roles: list[PersonRole] | None
    below: int | None
    at_least: int | None

    def holds(self, facts: Facts) -> Because | None:
        hit = []
        for p in _case(facts).persons.values():
            if self.roles is not None and not p.has_role(self.roles):
                continue
            if (self.below is not None or self.at_least is not None) and _age_because(
                p, self.below, self.at_least
            ) is None:
                continue
            hit.append(p.id)
        return Because.of(*(Reason(kind="person", person=p) for p in hit), persons=hit) if hit else None


@dataclass
class StepSuggested(Condition):
    """One of these steps was already suggested (only steps earlier in the catalogue are known)."""

    ids: list[str]

    def holds(self, facts: Facts) -> Because | None:
        hit = [s for s in self.ids if s in _case(facts).steps]
        return Because.of(*(Reason(kind="step", step=s) for s in hit)) if hit else None


@dataclass
class StepAgenciesAtLeast(Condition):
    """Steps already suggested fall on at least n distinct agencies."""

    n: int

    def holds(self, facts: Facts) -> Because | None:
        agencies = sorted({a for a in _case(facts).steps.values() if a != "any"})
        return Because.of(*(Reason(kind="agency", agency=a) for a in agencies)) if len(agencies) >= self.n else None


@dataclass
class MadeBy(Condition):
    agencies: list[str]
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        return Because((), (a.subject.id,)) if a.agency in self.agencies else None


@dataclass
class CompletenessBelow(Condition):
    share: float
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        if a.completeness < self.share:
            return Because.of(a.reason("completeness", value=a.completeness), persons=(a.subject.id,))
        return None


@dataclass
class CriticalNotKnown(Condition):
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        if not a.critical_not_known:
            return None
        return Because.of(*(a.reason("item_not_known", item=i) for i in a.critical_not_known), persons=(a.subject.id,))


@dataclass
class OutsidePopulation(Condition):
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        if not a.outside_population:
            return None
        note = a.population_note or a.outside_population
        why = a.reason("outside_population", value=a.population_age, note=note, text=a.outside_population)
        return Because.of(why, persons=(a.subject.id,))


@dataclass
class LevelBelowFloor(Condition):
    """A professional set the level below the floor that the assessment's critical items or level rules set."""

    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        a = _ass(facts)
        if a.floor is None or a.final_level is None or a.final_level.rank >= a.floor.rank:
            return None
        return Because.of(a.reason("below_floor", level=a.final_level, floor=a.floor), persons=(a.subject.id,))


@dataclass
class ConsentGiven(Condition):
    """Some person (of the given roles) has consented to sharing with all of these agencies."""

    to: list[str]
    roles: list[PersonRole] | None

    def holds(self, facts: Facts) -> Because | None:
        case = _case(facts)
        hit = [
            pid
            for pid, agencies in case.consents.items()
            if set(self.to) <= agencies and (self.roles is None or case.persons[pid].role in self.roles)
        ]
        return Because.of(*(Reason(kind="consent", person=pid) for pid in hit)) if hit else None


@dataclass
class SubjectConsented(Condition):
    """The assessment's own subject has consented to sharing with all of these agencies.

    Only the person the information is about can waive its secrecy (OSL 12 kap. 2 §): another person's
    consent, a suspect's for instance, never opens a step about the subject."""

    to: list[str]
    scope = "assessment"

    def holds(self, facts: Facts) -> Because | None:
        subject = _ass(facts).subject.id
        if set(self.to) <= _case(facts).consents.get(subject, set()):
            return Because.of(Reason(kind="consent", person=subject), persons=(subject,))
        return None


@dataclass
class AgencyHasSteps(Condition):
    agencies: list[str]

    def holds(self, facts: Facts) -> Because | None:
        steps = _case(facts).steps
        hit = [s for s, agency in steps.items() if agency in self.agencies]
        return Because.of(*(Reason(kind="step", step=s) for s in hit)) if hit else None


@dataclass
class RequiredChecklistMissing(Condition):
    def holds(self, facts: Facts) -> Because | None:
        missing = _case(facts).missing_checklists
        if not missing:
            return None
        return Because.of(
            *(Reason(kind="missing_checklist", checklist=c, subject=s) for c, s in missing),
            persons=[s for _, s in missing],
        )


# ---- parsing ---------------------------------------------------------------------


def _str_list(raw: Any, path: str) -> list[str]:
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
        return list(raw)
    raise ConditionError(f"{path}: expected an id or a non-empty list of ids, got {raw!r}")


def _enum_list(enum: type[Any], raw: Any, path: str) -> list[Any]:
    out = []
    for value in _str_list(raw, path):
        try:
            out.append(enum(value))
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            raise ConditionError(f"{path}: {value!r} is not one of {allowed}") from None
    return out


def _level(raw: Any, path: str) -> RiskLevel:
    return RiskLevel(_enum_list(RiskLevel, raw, path)[0])


def _int(raw: Any, path: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ConditionError(f"{path}: expected a whole number >= 0, got {raw!r}")
    return raw


def _mapping(raw: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
    if not isinstance(raw, dict):
        raise ConditionError(f"{path}: expected a mapping with keys {', '.join(sorted(allowed))}")
    extra = set(raw) - allowed
    if extra:
        raise ConditionError(
            f"{path}: unknown key(s) {', '.join(sorted(extra))}; allowed: {', '.join(sorted(allowed))}"
        )
    missing = required - set(raw)
    if missing:
        raise ConditionError(f"{path}: missing key(s) {', '.join(sorted(missing))}")
    return raw


OPERATOR_SCOPE: dict[str, str] = {
    "all": "answers",
    "any": "answers",
    "not": "answers",
    "yes": "answers",
    "all_yes": "answers",
    "unknown": "answers",
    "count_yes": "answers",
    "section_level_at_least": "answers",
    "level_at_least": "assessment",
    "subject_age": "assessment",
    "subject_role": "assessment",
    "about_assessment": "assessment",
    "made_by": "assessment",
    "completeness_below": "assessment",
    "critical_not_known": "assessment",
    "outside_validated_population": "assessment",
    "level_below_floor": "assessment",
    "consent_given": "case",
    "subject_consented": "assessment",
    "agency_has_steps": "case",
    "required_checklist_missing": "case",
    "context": "case",
    "flag": "case",
    "overall_level_at_least": "case",
    "any_assessment": "case",
    "any_person": "case",
    "step": "case",
    "step_agencies_at_least": "case",
}


def parse_condition(raw: Any, scope: str, path: str = "when") -> Condition:
    """Parse a YAML condition, allowing only operators whose facts exist in `scope`."""
    if not isinstance(raw, dict) or len(raw) != 1:
        raise ConditionError(
            f"{path}: a condition is a mapping with exactly one operator ({', '.join(OPERATOR_SCOPE)}), got {raw!r}"
        )
    ((op, arg),) = raw.items()
    if op not in OPERATOR_SCOPE:
        raise ConditionError(f"{path}: unknown operator {op!r}; allowed: {', '.join(OPERATOR_SCOPE)}")
    if SCOPES.index(OPERATOR_SCOPE[op]) > SCOPES.index(scope):
        raise ConditionError(f"{path}.{op}: cannot be used in a {scope}-level rule")
    here = f"{path}.{op}"
    builder = _BUILDERS[op]
    return builder(arg, scope, here)


def _parts(arg: Any, scope: str, path: str) -> list[Condition]:
    if not isinstance(arg, list) or not arg:
        raise ConditionError(f"{path}: expected a non-empty list of conditions")
    return [parse_condition(x, scope, f"{path}[{i}]") for i, x in enumerate(arg)]


def _count_groups(raw: Any, path: str) -> list[tuple[str, ...]]:
    """`items`: an id, or a list whose entries are ids or lists of ids (a list counts once)."""
    if isinstance(raw, str):
        return [(raw,)]
    if not isinstance(raw, list) or not raw:
        raise ConditionError(f"{path}: expected critical, an id, or a non-empty list of ids and lists of ids")
    groups: list[tuple[str, ...]] = []
    for n, entry in enumerate(raw):
        groups.append(tuple(_str_list(entry, f"{path}[{n}]")))
    named = [i for group in groups for i in group]
    twice = sorted({i for i in named if named.count(i) > 1})
    if twice:
        raise ConditionError(f"{path}: {', '.join(twice)} named more than once; an item may count only once")
    return groups


def _count_yes(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"items", "at_least"}, {"items", "at_least"})
    groups = None if m["items"] == "critical" else _count_groups(m["items"], f"{path}.items")
    return CountYes(groups, _int(m["at_least"], f"{path}.at_least"))


def _section_level(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"section", "level"}, {"section", "level"})
    return SectionLevelAtLeast(_str_list(m["section"], f"{path}.section")[0], _level(m["level"], f"{path}.level"))


def _subject_age(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"below", "at_least"})
    if not m:
        raise ConditionError(f"{path}: give below and/or at_least")
    below = _int(m["below"], f"{path}.below") if "below" in m else None
    at_least = _int(m["at_least"], f"{path}.at_least") if "at_least" in m else None
    return SubjectAge(below, at_least)


def _about(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"checklist", "when"}, {"checklist", "when"})
    return AboutAssessment(
        _str_list(m["checklist"], f"{path}.checklist")[0], parse_condition(m["when"], "assessment", f"{path}.when")
    )


def _any_assessment(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"checklist", "when"})
    checklists = _str_list(m["checklist"], f"{path}.checklist") if "checklist" in m else None
    when = parse_condition(m["when"], "assessment", f"{path}.when") if "when" in m else None
    return AnyAssessment(checklists, when)


def _any_person(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"role", "age_below", "age_at_least"})
    roles = _enum_list(PersonRole, m["role"], f"{path}.role") if "role" in m else None
    below = _int(m["age_below"], f"{path}.age_below") if "age_below" in m else None
    at_least = _int(m["age_at_least"], f"{path}.age_at_least") if "age_at_least" in m else None
    return AnyPerson(roles, below, at_least)


def _share(raw: Any, path: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
        raise ConditionError(f"{path}: expected a share between 0 and 1, got {raw!r}")
    return float(raw)


def _when_true(make: Callable[[], Condition]) -> Callable[[Any, str, str], Condition]:
    """Builder for operators that take no argument: written `operator: true`."""

    def build(raw: Any, scope: str, path: str) -> Condition:
        if raw is not True:
            raise ConditionError(f"{path}: write `true`")
        return make()

    return build


def _consent_given(arg: Any, scope: str, path: str) -> Condition:
    m = _mapping(arg, path, {"to", "role"}, {"to"})
    roles = _enum_list(PersonRole, m["role"], f"{path}.role") if "role" in m else None
    return ConsentGiven([a.value for a in _enum_list(Agency, m["to"], f"{path}.to")], roles)


_BUILDERS: dict[str, Callable[[Any, str, str], Condition]] = {
    "made_by": lambda a, s, p: MadeBy([x.value for x in _enum_list(Agency, a, p)]),
    "completeness_below": lambda a, s, p: CompletenessBelow(_share(a, p)),
    "critical_not_known": _when_true(CriticalNotKnown),
    "outside_validated_population": _when_true(OutsidePopulation),
    "level_below_floor": _when_true(LevelBelowFloor),
    "consent_given": _consent_given,
    "subject_consented": lambda a, s, p: SubjectConsented(
        [x.value for x in _enum_list(Agency, _mapping(a, p, {"to"}, {"to"})["to"], f"{p}.to")]
    ),
    "agency_has_steps": lambda a, s, p: AgencyHasSteps(_str_list(a, p)),
    "required_checklist_missing": _when_true(RequiredChecklistMissing),
    "all": lambda a, s, p: All(_parts(a, s, p)),
    "any": lambda a, s, p: AnyOf(_parts(a, s, p)),
    "not": lambda a, s, p: Not(parse_condition(a, s, p)),
    "yes": lambda a, s, p: YesAny(_str_list(a, p)),
    "all_yes": lambda a, s, p: YesAll(_str_list(a, p)),
    "unknown": lambda a, s, p: AnsweredUnknown(_str_list(a, p)),
    "count_yes": _count_yes,
    "section_level_at_least": _section_level,
    "level_at_least": lambda a, s, p: LevelAtLeast(_level(a, p)),
    "subject_age": _subject_age,
    "subject_role": lambda a, s, p: SubjectRole(_enum_list(PersonRole, a, p)),
    "about_assessment": _about,
    "context": lambda a, s, p: ContextIn(_enum_list(Context, a, p)),
    "flag": lambda a, s, p: FlagRaised(_str_list(a, p)),
    "overall_level_at_least": lambda a, s, p: OverallLevelAtLeast(_level(a, p)),
    "any_assessment": _any_assessment,
    "any_person": _any_person,
    "step": lambda a, s, p: StepSuggested(_str_list(a, p)),
    "step_agencies_at_least": lambda a, s, p: StepAgenciesAtLeast(_int(a, p)),
}


def walk(condition: Condition) -> Iterable[Condition]:
    """Every condition in a tree, for load-time reference checks."""
    yield condition
    if isinstance(condition, (All, AnyOf)):
        for part in condition.parts:
            yield from walk(part)
    elif isinstance(condition, Not):
        yield from walk(condition.part)
    elif isinstance(condition, (AboutAssessment, AnyAssessment)) and condition.when is not None:
        yield from walk(condition.when)


CONDITION_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A condition: a mapping with exactly one operator key: " + ", ".join(OPERATOR_SCOPE),
    "minProperties": 1,
    "maxProperties": 1,
    "propertyNames": {"enum": list(OPERATOR_SCOPE)},
    "properties": {
        "count_yes": {
            "type": "object",
            "description": "At least at_least of items answered yes; a list inside items counts once",
            "required": ["items", "at_least"],
            "additionalProperties": False,
            "properties": {
                "items": {
                    "anyOf": [
                        {"const": "critical"},
                        {"type": "string"},
                        {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "anyOf": [
                                    {"type": "string"},
                                    {"type": "array", "minItems": 1, "items": {"type": "string"}},
                                ]
                            },
                        },
                    ]
                },
                "at_least": {"type": "integer", "minimum": 0},
            },
        }
    },
}


def _parser(scope: str) -> Callable[[Any], Condition]:
    def parse(raw: Any) -> Condition:
        if isinstance(raw, Condition):
            return raw
        try:
            return parse_condition(raw, scope)
        except ConditionError as e:
            raise ValueError(str(e)) from None

    return parse


# Pydantic field types that parse a YAML condition of that scope when a rule file loads.
AnswersCondition = Annotated[Condition, PlainValidator(_parser("answers")), WithJsonSchema(CONDITION_JSON_SCHEMA)]
CaseCondition = Annotated[Condition, PlainValidator(_parser("case")), WithJsonSchema(CONDITION_JSON_SCHEMA)]

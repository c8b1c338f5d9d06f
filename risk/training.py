"""Practice cases as data (training/*.yaml) and the feedback a trainee gets on working one. Pure: no I/O but loading.

A practice case is a synthetic story told by a person who answers each question of the real checklist form, and
the expert answer: the level range a careful professional would accept, the critical items, the steps that must
not be missed, the lawful sharing route and, where it is right, an override. Every expert point names its sources
(guidance ids of knowledge/, provision ids of checklists/law.yaml, item ids of the checklists, step ids of
steps.yaml, or a section of the research notes). Loading fails on any id that does not resolve.

The trainee's work (`TraineeWork`) and the case go into `feedback`, which runs the real engine on the trainee's
answers and compares point by point; `Feedback` is stored with the attempt, texts in both languages included.
"""

from __future__ import annotations

import functools
import re
import statistics
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from risk.checklists import Checklist, default_checklists, read_yaml, validate_file
from risk.engine import assess
from risk.errors import ChecklistError, InputError
from risk.models import AssessmentInput, Case, Consent, Override, Person, Result
from risk.rules import Rules, default_rules
from risk.text import Text
from risk.validation import parse_case
from risk.vocabulary import Answer, Context, Language, RiskLevel

TRAINING_DIR = Path(__file__).resolve().parent.parent / "training"
MAX_ENTRIES = 500  # questions asked, answers or steps in one attempt: far above any form or the step catalogue
MAX_REASON_CHARS = 10_000  # an override's reason, as for a case file (risk/input_limits.py)
NO_SHARING = "none"  # the sharing route meaning: nothing is shared (no provision applies or is needed)
SOURCE = re.compile(r"^(guidance|law|item|step|research):[A-Za-z0-9_.§ /#-]+$")
RESEARCH_FILES = ("care_guidance.md", "instruments.md", "swedish_law.md", "software.md")
Tag = Literal["children", "unknowns", "override", "sharing_without_consent", "consent", "staff_safety", "no_risk_found"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Response(Strict):
    """What the person says when asked one question, and the answer code it amounts to."""

    answer: Answer
    says: Text


class Point(Strict):
    """An expert point: why, and where that comes from."""

    why: Text
    sources: list[str] = Field(
        min_length=1,
        description="guidance:<id>, law:<provision id>, item:<item id>, step:<step id> or research:<file> §<section>",
    )


class ExpertLevel(Point):
    min: RiskLevel = Field(description="The lowest level a careful professional would accept")
    max: RiskLevel = Field(description="The highest level a careful professional would accept")


class ExpertItem(Point):
    item: str


class ExpertStep(Point):
    step: str


class ExpertOverride(Point):
    level: RiskLevel = Field(description="The level the professional should set instead of the computed one")


class ExpertSharing(Point):
    accepted: list[str] = Field(
        min_length=1, description=f"Provision ids of law.yaml (any one is right), or '{NO_SHARING}'"
    )


class ExpertAnswer(Strict):
    level: ExpertLevel
    critical_items: list[ExpertItem] = Field(
        default_factory=list, description="Critical items that must be asked: answered yes or not known"
    )
    must_not_miss: list[ExpertStep] = Field(default_factory=list)
    not_needed: list[ExpertItem] = Field(
        default_factory=list, description="Questions that were not needed here (or harmful to ask now), and why"
    )
    override: ExpertOverride | None = Field(None, description="Set where overriding the computed level is right")
    sharing: ExpertSharing


class PracticeAssessment(Strict):
    checklist: str
    subject: str
    about: str | None = None


class PracticeCase(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    version: str = Field(min_length=1)
    synthetic: Literal[True] = Field(description="Every practice case is made up; never a real person")
    label: Text = Field(description="Shown with the case: that it is a synthetic practice case")
    title: Text
    context: Context
    tags: list[Tag] = Field(default_factory=list)
    story: Text
    persons: list[Person] = Field(min_length=1)
    consents: list[Consent] = Field(default_factory=list, description="Consents the person gave in the story")
    assessment: PracticeAssessment
    default_response: Response = Field(description="What the person says to a question not listed in responses")
    responses: dict[str, Response] = Field(default_factory=dict)
    expert: ExpertAnswer

    @model_validator(mode="after")
    def _labelled(self) -> PracticeCase:
        for lang, word in (("sv", "syntetiskt"), ("en", "synthetic")):
            if word not in getattr(self.label, lang).lower():
                raise ValueError(f"label.{lang}: must say that the case is {word}")
        return self

    def form_items(self, checklists: dict[str, Checklist]) -> list[str]:
        return checklists[self.assessment.checklist].form_items(self.context)

    def covers(self, items: list[str]) -> int:
        """How many of `items` the case trains: critical in its expert answer, or not answered no by the person."""
        named = {p.item for p in self.expert.critical_items} | {
            i for i, r in self.responses.items() if r.answer is not Answer.no
        }
        return len(named & set(items))

    def response(self, item: str) -> Response:
        return self.responses.get(item, self.default_response)

    def expert_answers(self, checklists: dict[str, Checklist]) -> dict[str, Answer]:
        """What the person says to every question of the form, as answer codes: the expert's answers."""
        return {i: self.response(i).answer for i in self.form_items(checklists)}

    def engine_case(
        self, answers: dict[str, Answer], override: RiskLevel | None = None, reason: str | None = None
    ) -> Case:
        """The real engine's Case for these answers (never stored): the story's persons and consents."""
        a = self.assessment
        overrides = (
            [Override(checklist=a.checklist, subject=a.subject, level=override, reason=reason or "training")]
            if override is not None
            else []
        )
        return Case(
            context=self.context,
            persons=list(self.persons),
            consents=list(self.consents),
            assessments=[AssessmentInput(checklist=a.checklist, subject=a.subject, about=a.about, answers=answers)],
            overrides=overrides,
            synthetic=True,
            note="synthetic practice case",
        )


class TrainingFile(Strict):
    cases: list[PracticeCase] = Field(min_length=1)


class Library(BaseModel):
    model_config = ConfigDict(frozen=True)

    cases: dict[str, PracticeCase]

    def covering(self, items: list[str]) -> list[PracticeCase]:
        """Cases ordered by how many of `items` their expert answer names (critical or as a person's yes), most
        first; ties keep file order."""
        return sorted(self.cases.values(), key=lambda c: -c.covers(items))


def _check_references(
    case: PracticeCase, checklists: dict[str, Checklist], rules: Rules, guidance: set[str]
) -> list[str]:
    """Every id a case names, resolved; the problems, each naming the case and the field."""
    out: list[str] = []
    where = f"case {case.id}"
    persons = {p.id for p in case.persons}
    a = case.assessment
    cl = checklists.get(a.checklist)
    if cl is None:
        return [f"{where}: assessment.checklist {a.checklist!r} is not a checklist ({', '.join(sorted(checklists))})"]
    for field, person in (("subject", a.subject), ("about", a.about)):
        if person is not None and person not in persons:
            out.append(
                f"{where}: assessment.{field} {person!r} is not one of the persons ({', '.join(sorted(persons))})"
            )
    for c in case.consents:
        if c.person not in persons:
            out.append(f"{where}: consents: {c.person!r} is not one of the persons")
    form = set(cl.form_items(case.context))
    for item in case.responses:
        if item not in form:
            out.append(f"{where}: responses: {item!r} is not asked in the {case.context.value} form of {cl.id}")
    e = case.expert
    for p in e.critical_items:
        if p.item not in cl.critical_items:
            out.append(f"{where}: expert.critical_items: {p.item!r} is not a critical item of {cl.id}")
    for p in e.not_needed:
        if p.item not in form:
            out.append(f"{where}: expert.not_needed: {p.item!r} is not in the form")
    steps = {s.id for s in rules.steps.steps}
    for s in e.must_not_miss:
        if s.step not in steps:
            out.append(f"{where}: expert.must_not_miss: {s.step!r} is not a step of steps.yaml")
    for route in e.sharing.accepted:
        if route != NO_SHARING and route not in rules.provisions:
            out.append(f"{where}: expert.sharing.accepted: {route!r} is not a provision of law.yaml or {NO_SHARING!r}")
    if e.level.min.rank > e.level.max.rank:
        out.append(f"{where}: expert.level: min {e.level.min.value} is above max {e.level.max.value}")
    if not out:  # the case the engine gets must be a valid case file (contract.md): persons, roles, ages
        try:
            parse_case(case.engine_case(case.expert_answers(checklists)), checklists)
        except InputError as err:
            out.extend(f"{where}: as a case file: {p}" for p in err.problems)
    points: list[Point] = [e.level, e.sharing, *e.critical_items, *e.must_not_miss, *e.not_needed]
    if e.override is not None:
        points.append(e.override)
    for point in points:
        for src in point.sources:
            problem = _source_problem(src, checklists, rules, steps, guidance)
            if problem:
                out.append(f"{where}: source {src!r}: {problem}")
    return out


def _source_problem(
    src: str, checklists: dict[str, Checklist], rules: Rules, steps: set[str], guidance: set[str]
) -> str:
    if not SOURCE.match(src):
        return "write guidance:<id>, law:<id>, item:<id>, step:<id> or research:<file> §<section>"
    kind, _, ref = src.partition(":")
    items = {i for cl in checklists.values() for i in cl.items}
    known = {
        "guidance": guidance,
        "law": set(rules.provisions),
        "item": items,
        "step": steps,
    }
    if kind == "research":
        return "" if ref.split(" ")[0] in RESEARCH_FILES else f"name one of {', '.join(RESEARCH_FILES)}"
    return "" if ref in known[kind] else f"no {kind} with that id"


def load_training(directory: Path = TRAINING_DIR) -> Library:
    """Every training/*.yaml, validated and with every id resolved; ChecklistError lists all problems."""
    from risk.guidance import default_library

    checklists = default_checklists()
    rules = default_rules()
    guidance = set(default_library().entries)
    problems: list[str] = []
    cases: dict[str, PracticeCase] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            f = validate_file(TrainingFile, read_yaml(path), path.name)
        except ChecklistError as e:
            problems.extend(e.problems)
            continue
        for c in f.cases:
            if c.id in cases:
                problems.append(f"{path.name}: case {c.id}: the id is used twice")
            cases[c.id] = c
            problems.extend(f"{path.name}: {p}" for p in _check_references(c, checklists, rules, guidance))
    if problems:
        raise ChecklistError(problems)
    return Library(cases=cases)


@functools.cache
def default_training() -> Library:
    return load_training()


def training_schema() -> dict[str, Any]:
    """JSON Schema of a training file, for editor autocompletion of the YAML."""
    return TrainingFile.model_json_schema()


# --- the trainee's work and the feedback -------------------------------------------------------------------------


class TraineeWork(BaseModel):
    """What a trainee did with a practice case: the questions asked, the answers recorded, the level decision
    (an override of the computed level, with a reason), the sharing route chosen and the steps marked."""

    model_config = ConfigDict(extra="forbid")

    asked: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)
    answers: dict[str, Answer] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    override_level: RiskLevel | None = None
    override_reason: str | None = Field(None, max_length=MAX_REASON_CHARS)
    sharing: str | None = Field(None, max_length=80, description=f"A provision id of law.yaml, or '{NO_SHARING}'")
    steps: list[str] = Field(default_factory=list, max_length=MAX_ENTRIES)


PointKind = Literal["critical_item", "answer", "not_needed", "level", "override", "sharing", "step"]


class FeedbackPoint(BaseModel):
    """One point of feedback: what it is about, whether the trainee got it right, what was expected and given,
    the expert's why and sources (both languages, so a stored attempt reads the same later)."""

    kind: PointKind
    ok: bool
    weight: int = Field(ge=0)
    item: str | None = None
    step: str | None = None
    expected: str | None = None
    given: str | None = None
    why: Text | None = None
    sources: list[str] = Field(default_factory=list)


class Feedback(BaseModel):
    case_id: str
    case_version: str
    computed_level: RiskLevel = Field(description="The engine's level on the trainee's answers")
    final_level: RiskLevel = Field(description="The trainee's level: their override, else the computed level")
    expected_min: RiskLevel
    expected_max: RiskLevel
    points: list[FeedbackPoint]
    score: int = Field(ge=0, le=100, description="Share of the weighted points the trainee got right, in percent")

    @property
    def missed(self) -> list[FeedbackPoint]:
        return [p for p in self.points if not p.ok]


def _engine(case: PracticeCase, answers: dict[str, Answer], override: RiskLevel | None) -> Result:
    return assess(case.engine_case(answers, override), Language.en)


def feedback(case: PracticeCase, work: TraineeWork, checklists: dict[str, Checklist] | None = None) -> Feedback:
    """Compare a trainee's work with the expert answer, point by point; the level through the real engine."""
    checklists = checklists if checklists is not None else default_checklists()
    form = case.form_items(checklists)
    asked = set(work.asked) | set(work.answers)
    answers = {i: a for i, a in work.answers.items() if i in form}
    e = case.expert
    points: list[FeedbackPoint] = []

    for p in e.critical_items:
        said = case.response(p.item).answer
        given = answers.get(p.item)
        ok = p.item in asked and given is said
        points.append(
            FeedbackPoint(
                kind="critical_item",
                ok=ok,
                weight=2,
                item=p.item,
                expected=said.value,
                given=given.value if given else None,
                why=p.why,
                sources=p.sources,
            )
        )
    critical = {p.item for p in e.critical_items}
    for item in form:
        given = answers.get(item)
        said = case.response(item).answer
        if item in critical or given is None or given is said:
            continue
        points.append(
            FeedbackPoint(
                kind="answer",
                ok=False,
                weight=1,
                item=item,
                expected=said.value,
                given=given.value,
                why=case.response(item).says,
                sources=[f"item:{item}"],
            )
        )
    for p in e.not_needed:
        points.append(
            FeedbackPoint(
                kind="not_needed",
                ok=p.item not in asked,
                weight=1,
                item=p.item,
                given="asked" if p.item in asked else None,
                why=p.why,
                sources=p.sources,
            )
        )

    computed = _engine(case, answers, None).assessments[0].computed_level
    final = work.override_level or computed
    in_range = e.level.min.rank <= final.rank <= e.level.max.rank
    points.append(
        FeedbackPoint(
            kind="level",
            ok=in_range,
            weight=3,
            expected=f"{e.level.min.value}-{e.level.max.value}",
            given=final.value,
            why=e.level.why,
            sources=e.level.sources,
        )
    )
    if e.override is not None or work.override_level is not None:
        expected = e.override.level if e.override is not None else None
        given_override = work.override_level
        ok = (
            given_override is not None and given_override is expected
            if expected is not None
            else given_override is None or given_override is computed
        )
        why = e.override.why if e.override is not None else e.level.why
        sources = e.override.sources if e.override is not None else e.level.sources
        points.append(
            FeedbackPoint(
                kind="override",
                ok=ok,
                weight=2,
                expected=expected.value if expected else None,
                given=given_override.value if given_override else None,
                why=why,
                sources=sources,
            )
        )
    accepted = set(e.sharing.accepted)
    points.append(
        FeedbackPoint(
            kind="sharing",
            ok=work.sharing in accepted,
            weight=3,
            expected=",".join(e.sharing.accepted),
            given=work.sharing,
            why=e.sharing.why,
            sources=e.sharing.sources,
        )
    )
    marked = set(work.steps)
    for s in e.must_not_miss:
        points.append(
            FeedbackPoint(
                kind="step",
                ok=s.step in marked,
                weight=2,
                step=s.step,
                expected=s.step,
                given=s.step if s.step in marked else None,
                why=s.why,
                sources=s.sources,
            )
        )
    possible = sum(p.weight for p in points)
    earned = sum(p.weight for p in points if p.ok)
    return Feedback(
        case_id=case.id,
        case_version=case.version,
        computed_level=computed,
        final_level=final,
        expected_min=e.level.min,
        expected_max=e.level.max,
        points=points,
        score=round(100 * earned / possible) if possible else 100,
    )


def expert_work(case: PracticeCase, checklists: dict[str, Checklist] | None = None) -> TraineeWork:
    """The expert's own work on a case: every question asked, the person's answers, the override if right, the
    first accepted sharing route, every must-not-miss step. Its feedback scores 100 (a test holds it so)."""
    checklists = checklists if checklists is not None else default_checklists()
    answers = case.expert_answers(checklists)
    not_needed = {p.item for p in case.expert.not_needed}
    kept = {i: a for i, a in answers.items() if i not in not_needed}
    o = case.expert.override
    return TraineeWork(
        asked=list(kept),
        answers=kept,
        override_level=o.level if o else None,
        override_reason=o.why.en if o else None,
        sharing=case.expert.sharing.accepted[0],
        steps=[s.step for s in case.expert.must_not_miss],
    )


def consistency_problems(case: PracticeCase, checklists: dict[str, Checklist] | None = None) -> list[str]:
    """Where the expert answer and the engine's own result on the same answers disagree (one of them is wrong)."""
    checklists = checklists if checklists is not None else default_checklists()
    e = case.expert
    answers = case.expert_answers(checklists)
    plain = _engine(case, answers, None)
    res = _engine(case, answers, e.override.level if e.override else None)
    a = res.assessments[0]
    out: list[str] = []
    computed = plain.assessments[0].computed_level
    final = a.level
    if not e.level.min.rank <= final.rank <= e.level.max.rank:
        out.append(
            f"{case.id}: the level {final.value} is outside the expert range {e.level.min.value}-{e.level.max.value}"
        )
    if e.override is not None and e.level.min.rank <= computed.rank <= e.level.max.rank:
        out.append(f"{case.id}: an override is expected, but the computed level {computed.value} is already accepted")
    engine_critical = set(a.critical_items) | set(a.critical_not_known)
    expert_critical = {p.item for p in e.critical_items}
    if engine_critical != expert_critical:
        out.append(f"{case.id}: critical items: expert {sorted(expert_critical)}, engine {sorted(engine_critical)}")
    steps = {s.id for s in res.steps}
    for s in e.must_not_miss:
        if s.step not in steps:
            out.append(f"{case.id}: the must-not-miss step {s.step} is not among the engine's steps")
    bases = {b.id for s in res.steps for b in s.legal_references}
    if case.consents:
        bases.add("osl_12_2")  # the person's own consent is a route of its own
    for route in e.sharing.accepted:
        if route != NO_SHARING and route not in bases:
            out.append(f"{case.id}: the sharing route {route} is no legal basis of the engine's steps")
    if "sharing_without_consent" in case.tags and (
        "osl_12_2" in e.sharing.accepted or NO_SHARING in e.sharing.accepted
    ):
        out.append(f"{case.id}: tagged sharing_without_consent, but the accepted route rests on consent or none")
    return out


class CaseResults(BaseModel):
    """A unit's results on one practice case: how many attempts, the median and lowest score, and the points most
    often missed (kind and item or step, with how many attempts missed each), most missed first."""

    case_id: str
    attempts: int
    median: float
    lowest: int
    most_missed: list[tuple[str, str, int]] = Field(default_factory=list)


def results_by_case(feedbacks: list[Feedback], top: int = 3) -> list[CaseResults]:
    """Summarise attempts' feedback per case, in the order the cases first appear."""
    by_case: dict[str, list[Feedback]] = {}
    for fb in feedbacks:
        by_case.setdefault(fb.case_id, []).append(fb)
    out: list[CaseResults] = []
    for case_id, fbs in by_case.items():
        missed: dict[tuple[str, str], int] = {}
        for fb in fbs:
            for p in {(p.kind, p.item or p.step or "") for p in fb.points if not p.ok}:
                missed[p] = missed.get(p, 0) + 1
        ranked = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        scores = [fb.score for fb in fbs]
        out.append(
            CaseResults(
                case_id=case_id,
                attempts=len(fbs),
                median=statistics.median(scores),
                lowest=min(scores),
                most_missed=[(kind, ref, n) for (kind, ref), n in ranked],
            )
        )
    return out

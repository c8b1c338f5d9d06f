"""“May I tell?” — the law navigator: a professional's situation in, what they must, may and may not do out.

The navigator has no legal rules of its own. It builds a small case from the situation (checklists/situations.yaml
says which items each situation answers yes), runs the engine on it, and sorts the steps the engine selects for the
professional's agency: a step needing consent that is not given is something they may do only with consent, and
may not do without; a step resting only on provisions that allow sharing (`permissive_provisions`) is something they
may do; every other step is something they must do. So the navigator and the result page can never disagree.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from risk.errors import InputError, describe
from risk.models import Case, Reason, Result, Step
from risk.rules import Rules, default_rules
from risk.situations import Navigator, default_navigator
from risk.text import engine_level_word, engine_text
from risk.vocabulary import Agency, ConsentStatus, Context, Language, PersonRole, RiskLevel, Urgency

SUBJECT = "subject"  # the id of the person the question is about, in the case the navigator builds


# ---- the question -------------------------------------------------------------------------------


class Situation(BaseModel):
    """Who asks (agency, setting, role), about whom (role, age), what happened, what the person consents to."""

    model_config = ConfigDict(extra="forbid")

    agency: Agency = Field(description="The asking professional's agency")
    context: Context | None = Field(None, description="The setting; default: the agency's first setting")
    role: str | None = Field(None, max_length=60, description="The professional's role, e.g. nurse; shown only")
    subject_role: PersonRole = Field(PersonRole.victim, description="The person: victim, suspect, child, other")
    age: int | None = Field(None, ge=0, le=125, description="The person's age, if known")
    situations: list[str] = Field(default_factory=list, description="Situation ids of situations.yaml")
    consent_to: list[Agency] = Field(default_factory=list, description="Agencies the person consents to share with")
    level: RiskLevel | None = Field(None, description="The professional's judgement of the level, if they have one")


def contexts_of(agency: Agency, rules: Rules | None = None) -> list[Context]:
    """The settings in which this agency asks (steps.yaml context_agency), and always a case conference."""
    rules = rules if rules is not None else default_rules()
    own = [c for c, a in rules.steps.context_agency.items() if a is agency]
    return [*own, Context.case_conference]


def asking_agencies(rules: Rules | None = None) -> list[Agency]:
    """The agencies that have a setting of their own."""
    rules = rules if rules is not None else default_rules()
    return list(dict.fromkeys(a for a in rules.steps.context_agency.values() if a is not None))


def parse_situation(raw: Any, nav: Navigator | None = None) -> Situation:
    """A situation from plain values; InputError names every field to fix, all at once."""
    nav = nav if nav is not None else default_navigator()
    problems: list[str] = []
    named = raw.get("situations") if isinstance(raw, dict) else None
    if isinstance(named, list):
        problems += [
            f"situations: unknown situation {s!r}; known: {', '.join(nav.situations)}"
            for s in named
            if isinstance(s, str) and s not in nav.situations
        ]
    try:
        sit = Situation.model_validate(raw)
    except ValidationError as e:
        where = [".".join(str(x) for x in err["loc"]) or "situation" for err in e.errors()]
        raise InputError(
            [*problems, *(f"{w}: {describe(err)}" for w, err in zip(where, e.errors(), strict=True))]
        ) from None
    if sit.agency not in asking_agencies(nav.rules):
        problems.append(f"agency: {sit.agency} has no setting; use one of {', '.join(asking_agencies(nav.rules))}")
    elif sit.context is not None and sit.context not in contexts_of(sit.agency, nav.rules):
        allowed = ", ".join(contexts_of(sit.agency, nav.rules))
        problems.append(f"context: {sit.context} is not a setting of {sit.agency}; use one of {allowed}")
    if problems:
        raise InputError(problems)
    return sit


def _is_child(role: PersonRole, age: int | None) -> bool:
    return age < 18 if age is not None else role is PersonRole.child


def build_case(sit: Situation, nav: Navigator | None = None) -> Case:
    """The small case the engine assesses for this situation (see the module's docstring)."""
    nav = nav if nav is not None else default_navigator()
    context = sit.context or contexts_of(sit.agency, nav.rules)[0]
    persons: dict[str, dict[str, Any]] = {SUBJECT: {"id": SUBJECT, "role": sit.subject_role, "age": sit.age}}
    answers: dict[str, dict[str, str]] = {}
    for sid in sit.situations:
        rule = nav.situations[sid]
        if rule.checklist is not None:
            answers.setdefault(rule.checklist, {}).update(dict.fromkeys(rule.yes, "yes"))
    in_household = any(nav.situations[s].adds_child for s in sit.situations) and not _is_child(
        sit.subject_role, sit.age
    )
    assessed = "child_welfare" in answers and sit.subject_role is not PersonRole.child  # its subject has role child
    if in_household or assessed:
        persons["child"] = {"id": "child", "role": PersonRole.child}
    subject_of = {"domestic_violence": SUBJECT, "child_welfare": SUBJECT}
    if "domestic_violence" in answers:
        if sit.subject_role is not PersonRole.victim:
            persons["victim"] = {"id": "victim", "role": PersonRole.victim}
            subject_of["domestic_violence"] = "victim"
        if sit.subject_role is not PersonRole.suspect:
            persons["suspect"] = {"id": "suspect", "role": PersonRole.suspect}
    if "child_welfare" in answers and sit.subject_role is not PersonRole.child:
        subject_of["child_welfare"] = "child"
    assessments = [
        {"checklist": cl, "subject": subject_of.get(cl, SUBJECT), "answers": items, "agency": sit.agency}
        for cl, items in answers.items()
    ]
    overrides = [
        {"checklist": a["checklist"], "subject": a["subject"], "level": sit.level, "reason": "navigator"}
        for a in assessments
        if sit.level is not None
    ]
    consents = [{"person": SUBJECT, "to_share_with": sit.consent_to}] if sit.consent_to else []
    return Case.model_validate(
        {
            "context": context,
            "persons": list(persons.values()),
            "assessments": assessments,
            "overrides": overrides,
            "consents": consents,
        }
    )


def situation_for(case: Case, agency: Agency, result: Result | None = None, nav: Navigator | None = None) -> Situation:
    """The navigator's questions answered from a case, for one agency: a link from a result to the navigator.

    The person is the subject of the case's first assessment; the situations are those whose items are yes in that
    person's assessments (and a child's, for the child situations); the level is the engine's for that assessment,
    where a result is given; consent is what that person consented to."""
    nav = nav if nav is not None else default_navigator()
    if not case.assessments:
        return Situation(agency=agency)
    first = case.assessments[0]
    persons = {p.id: p for p in case.persons}
    subject = persons[first.subject]
    children = {p.id for p in case.persons if _is_child(p.role, p.age) and p.id != subject.id}
    yes: set[tuple[str, str]] = set()
    for a in case.assessments:
        if a.subject == subject.id or (a.checklist == "child_welfare" and a.subject in children):
            yes |= {(a.checklist, i) for i, v in a.answers.items() if v.value == "yes"}
    picked = [s.id for s in nav.file.situations if any((s.checklist, i) in yes for i in s.yes)]
    if children:
        picked += [s.id for s in nav.file.situations if s.adds_child and s.id not in picked]
    level = next((r.level for r in result.assessments if r.subject == subject.id), None) if result else None
    consent = sorted({a for c in case.consents if c.person == subject.id for a in c.to_share_with})
    context = case.context if case.context in contexts_of(agency, nav.rules) else None
    return Situation(
        agency=agency,
        context=context,
        subject_role=subject.role,
        age=subject.age,
        situations=picked,
        consent_to=consent,
        level=level,
    )


def asks_the_law(step: Step, nav: Navigator | None = None) -> bool:
    """Whether a step of a result is a question for the navigator ("May I tell?"): it shares information or rests on
    a legal basis. Decided from the step's data (its legal references, its consent, whom its rule shares with),
    never from its id, so a step added to steps.yaml links to the navigator as soon as it cites a provision."""
    nav = nav if nav is not None else default_navigator()
    if step.legal_references or step.legal_basis or step.consent is not ConsentStatus.not_required:
        return True
    rule = nav.rules.steps.rule(step.id)
    return rule is not None and bool(rule.shares_with)


# ---- the answer ---------------------------------------------------------------------------------


class ProvisionRef(BaseModel):
    """A provision of law.yaml as the navigator shows it; `verified: false` is shown as unverified."""

    id: str
    citation: str
    title: str
    paraphrase: str
    verified: bool
    source: str
    checked: str = Field(description="The day the record was last checked against its source (YYYY-MM-DD)")


class Entry(BaseModel):
    """One thing to do or not to do, with why and on which provisions."""

    kind: Literal["must", "may", "may_not"]
    step: str | None = Field(None, description="The engine's step this comes from; None for a limit")
    limit: str | None = Field(None, description="The limit of situations.yaml this comes from")
    agency: str
    urgency: Urgency | None = None
    text: str
    consent: ConsentStatus = ConsentStatus.not_required
    needs_consent_from: list[PersonRole] = Field(default_factory=list)
    consent_text: str | None = Field(None, description="Whose consent it needs, in words")
    because: list[str] = Field(default_factory=list, description="Why, in words")
    note: str | None = None
    provisions: list[ProvisionRef] = Field(default_factory=list)


class NavigatorAnswer(BaseModel):
    situation: Situation
    context: Context
    overall_level: RiskLevel
    must: list[Entry]
    may: list[Entry]
    may_not: list[Entry]
    others: list[Entry] = Field(description="What other agencies must or may do in the same situation")
    unverified: bool = Field(description="Some provision cited is not verified against its source")
    notice: str


def _provision(nav: Navigator, pid: str, lang: Language) -> ProvisionRef:
    p = nav.rules.provisions[pid]
    return ProvisionRef(
        id=p.id,
        citation=p.citation,
        title=p.title(lang),
        paraphrase=p.paraphrase(lang),
        verified=p.verified,
        source=p.source,
        checked=p.checked.date.isoformat(),
    )


def _because(nav: Navigator, reasons: list[Reason], sit: Situation, lang: Language) -> list[str]:
    """Why a step was selected, in words: the situations, flags, levels, age and consent its reasons name."""
    out: list[str] = []
    flags = {f.id: f for f in nav.rules.flags.flags}
    for r in reasons:
        if r.kind == "item" and r.item in nav.item_situation:
            out.append(nav.situations[nav.item_situation[r.item]].title(lang))
        elif r.kind == "flag" and r.flag in flags:
            out.append(flags[r.flag].title(lang))
        elif r.level is not None and r.kind in ("assessment_level", "overall", "section_level"):
            out.append(engine_text("navigator.because_level", lang, level=engine_level_word(r.level, lang)))
        elif r.kind == "consent":
            out.append(engine_text("navigator.because_consent", lang))
        elif r.kind == "person_age" and r.value is not None:
            out.append(engine_text("navigator.because_age", lang, age=r.value))
        elif r.kind == "assessment" and r.checklist is not None:  # the whole assessment: the situations in it
            out += [nav.situations[s].title(lang) for s in sit.situations if nav.situations[s].checklist == r.checklist]
    return list(dict.fromkeys(out))


def kind_of(step: Step, nav: Navigator) -> Literal["must", "may", "may_not"]:
    """must, may, or may_not (only with consent) for a step the engine selected."""
    if step.consent is ConsentStatus.required:
        return "may_not"
    if step.consent is ConsentStatus.given:
        return "may"
    ids = [r.id for r in step.legal_references]
    return "may" if ids and set(ids) <= set(nav.file.permissive_provisions) else "must"


def _step_entries(step: Step, sit: Situation, nav: Navigator, lang: Language) -> list[Entry]:
    rule = nav.rules.steps.rule(step.id)
    assert rule is not None  # the engine selects only steps of these rules
    kind = kind_of(step, nav)
    common: dict[str, Any] = {
        "step": step.id,
        "agency": step.agency,
        "urgency": step.urgency,
        "consent": step.consent,
        "because": _because(nav, step.reasons, sit, lang),
        "provisions": [_provision(nav, r.id, lang) for r in step.legal_references],
        "note": step.consent_note or step.care_basis,
    }
    if kind != "may_not":
        return [Entry(kind=kind, text=step.action, **common)]
    whom = ", ".join(engine_text(f"navigator.role.{r.value}", lang) for r in rule.consent_from)
    to = ", ".join(
        engine_text(f"navigator.agency.{a}", lang) for a in [str(x) for x in rule.shares_with] or [step.agency]
    )
    needs = list(rule.consent_from)
    condition = engine_text("navigator.with_consent", lang, whom=whom)
    return [
        Entry(kind="may", text=step.action, consent_text=condition, needs_consent_from=needs, **common),
        Entry(
            kind="may_not",
            text=engine_text("navigator.not_without_consent", lang, to=to, whom=whom),
            needs_consent_from=needs,
            **common,
        ),
    ]


def _own(step: Step, agency: Agency, context: Context) -> bool:
    if context is Context.case_conference:
        return step.agency in (agency.value, "any", "case_conference")
    return step.own_agency


def answer_result(
    result: Result, sit: Situation, nav: Navigator | None = None, lang: Language | str = "en"
) -> NavigatorAnswer:
    """Sort a result's steps into must / may / may not for the situation's agency; add the limits that apply."""
    nav = nav if nav is not None else default_navigator()
    lang = Language(lang)
    must: list[Entry] = []
    may: list[Entry] = []
    may_not: list[Entry] = []
    others: list[Entry] = []
    for step in result.steps:
        entries = _step_entries(step, sit, nav, lang)
        if not _own(step, sit.agency, result.context):
            others += [e for e in entries if e.kind != "may_not"]
            continue
        for e in entries:
            {"must": must, "may": may, "may_not": may_not}[e.kind].append(e)
    selected = {s.id for s in result.steps}
    for lim in nav.file.limits:
        if sit.agency in lim.agencies and not selected & set(lim.unless_steps):
            may_not.append(
                Entry(
                    kind="may_not",
                    limit=lim.id,
                    agency=sit.agency.value,
                    text=lim.text(lang),
                    provisions=[_provision(nav, p, lang) for p in lim.provisions],
                )
            )
    cited = [p for e in (*must, *may, *may_not) for p in e.provisions]
    return NavigatorAnswer(
        situation=sit,
        context=result.context,
        overall_level=result.overall_level,
        must=must,
        may=may,
        may_not=may_not,
        others=others,
        unverified=any(not p.verified for p in cited),
        notice=result.notice,
    )


def navigate(
    situation: Situation | dict[str, Any], lang: Language | str = "en", nav: Navigator | None = None
) -> NavigatorAnswer:
    """What a professional must, may and may not do in this situation, from the engine's own steps."""
    from risk.engine import assess

    nav = nav if nav is not None else default_navigator()
    sit = situation if isinstance(situation, Situation) else parse_situation(situation, nav)
    result = assess(build_case(sit, nav), lang=lang, checklists=nav.checklists, rules=nav.rules)
    return answer_result(result, sit, nav, lang)


# ---- the law overview ---------------------------------------------------------------------------


class OverviewRow(BaseModel):
    """A provision that applies in a situation: for whom, and whether it is a must, a may or a may not."""

    provision: ProvisionRef
    uses: list[tuple[str, str]] = Field(description="(agency, must|may|may_not) pairs")


class OverviewSection(BaseModel):
    situation: str
    title: str
    rows: list[OverviewRow]


def example_situation(sid: str, agency: Agency, nav: Navigator) -> Situation:
    """The example the overview uses: an adult victim (a child for a child's situation, or the given age)."""
    rule = nav.situations[sid]
    role = PersonRole.child if rule.checklist == "child_welfare" else PersonRole.victim
    return Situation(agency=agency, subject_role=role, age=rule.example_age, situations=[sid])


def law_overview(lang: Language | str = "en", situation: str | None = None) -> list[OverviewSection]:
    """Every provision by situation, as the navigator answers for each asking agency; the provisions no
    situation reaches come last, under the section `other`."""
    return _overview(Language(lang), situation)


@functools.cache
def _overview(lang: Language, only: str | None) -> list[OverviewSection]:
    nav = default_navigator()
    if only is not None and only not in nav.situations:
        raise InputError([f"--situation: unknown situation {only!r}; known: {', '.join(nav.situations)}"])
    sections: list[OverviewSection] = []
    reached: set[str] = set()
    for sid in nav.situations:
        uses: dict[str, list[tuple[str, str]]] = {}
        for agency in asking_agencies(nav.rules):
            ans = navigate(example_situation(sid, agency, nav), lang, nav)
            for e in (*ans.must, *ans.may, *ans.may_not):
                for p in e.provisions:
                    pair = (agency.value, e.kind)
                    if pair not in uses.setdefault(p.id, []):
                        uses[p.id].append(pair)
        reached |= set(uses)
        if only is None or only == sid:
            rows = [OverviewRow(provision=_provision(nav, pid, lang), uses=u) for pid, u in uses.items()]
            sections.append(OverviewSection(situation=sid, title=nav.situations[sid].title(lang), rows=rows))
    if only is None:
        rest = [p.id for p in nav.rules.law.provisions if p.id not in reached]
        sections.append(
            OverviewSection(
                situation="other",
                title=engine_text("navigator.other_provisions", lang),
                rows=[OverviewRow(provision=_provision(nav, pid, lang), uses=[]) for pid in rest],
            )
        )
    return sections

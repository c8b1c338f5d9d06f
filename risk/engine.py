"""assess(): a case file in, an explained result out. Pure: no I/O, no clock, no randomness.

Order: score each assessment → apply overrides → required checklists → flags →
overall level → collaboration steps. Each stage only reads what the stages before
it produced, so every level, flag and step can say what it came from.

Overrides and the floor: a professional may set an assessment's level either way, and
`level` is what they set. Critical items and level rules set a floor (`floor_level`):
the least level the facts alone give. The flags, steps and overall level see
max(level, floor), so a lowering counts down to the floor, while what rests on facts
(strangulation, the suspect's suicidality, any critical item) keeps its flags and steps.
A level set below the floor is kept, marked `below_floor` for review, and raises the
flag `override_below_floor`, which names both levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from risk import __version__
from risk.checklists import Checklist, default_checklists
from risk.conditions import AssessmentFacts, Because, CaseFacts, Facts, PersonFacts
from risk.errors import InputError
from risk.models import (
    AssessmentInput,
    AssessmentResult,
    Case,
    Flag,
    LegalBasis,
    Override,
    Person,
    Reason,
    RequiredChecklist,
    Result,
    Step,
)
from risk.rules import Provision, Rules, StepRule, default_rules
from risk.scoring import score_assessment
from risk.text import engine_level_word, engine_text
from risk.validation import parse_case
from risk.vocabulary import Agency, Answer, ConsentStatus, Context, Gender, Language, RiskLevel, max_level


def assess(
    case: dict[str, Any] | Case,
    lang: Language | str = Language.en,
    checklists: dict[str, Checklist] | None = None,
    rules: Rules | None = None,
) -> Result:
    """Assess a case file (contract.md); raises InputError listing every problem in it."""
    lang = Language(lang)
    checklists = checklists if checklists is not None else default_checklists()
    rules = rules if rules is not None else default_rules()
    parsed = parse_case(case, checklists)
    unborn = _unborn(parsed, rules)
    persons = {p.id: _person_facts(p, unborn) for p in parsed.persons}
    context_agency = rules.steps.context_agency[parsed.context]
    overrides = {(o.checklist, o.subject, o.agency, o.about): o for o in parsed.overrides}

    results: list[AssessmentResult] = []
    facts_list: list[AssessmentFacts] = []
    keys = [(a.checklist, a.subject, _about_key(a, checklists)) for a in parsed.assessments]
    shared = {k for k in keys if keys.count(k) > 1}  # the same person assessed by several agencies
    abouts: dict[tuple[str, str], set[str | None]] = {}
    for k in keys:
        abouts.setdefault(k[:2], set()).add(k[2])
    for a, key in zip(parsed.assessments, keys, strict=True):
        cl = checklists[a.checklist]
        res = _scored(cl, a, parsed.context, persons[a.subject], _override(overrides, *key[:2], a.agency, key[2]), lang)
        floor = res.floor_level
        agency = a.agency or context_agency or rules.steps.conference_default_agency
        outside = _outside_population(cl, parsed.persons, a, lang)
        facts_list.append(
            AssessmentFacts(
                checklist=cl.id,
                subject=persons[a.subject],
                about=[a.about] if a.about else [],
                answers=a.answers,
                critical_items=cl.critical_items,
                section_levels={k: s.level for k, s in res.sections.items() if s.level is not None},
                level=max_level(res.level, floor) if floor is not None else res.level,
                final_level=res.level,
                floor=floor,
                agency=agency.value,
                completeness=res.completeness,
                critical_not_known=res.critical_not_known,
                outside_population=outside.legacy,
                population_note=outside.notes,
                population_age=outside.age,
                named_agency=a.agency.value if a.agency and key in shared else None,
                named_about=key[2] if len(abouts[key[:2]]) > 1 else None,
            )
        )
        results.append(res)

    case_facts = CaseFacts(
        context=parsed.context,
        persons=persons,
        assessments=facts_list,
        consents={c.person: {x.value for x in c.to_share_with} for c in parsed.consents},
    )
    for c in parsed.consents:  # a person may be listed more than once; consents add up
        case_facts.consents[c.person] |= {x.value for x in c.to_share_with}
    required, suggested = _required_checklists(parsed, persons, checklists, rules)
    case_facts.missing_checklists = [(r.checklist, r.subject) for r in required]

    flags = _flags(case_facts, rules, lang)
    # The level each assessment gives the case: the professional's, never below the floor the facts set.
    overall = max_level(*(f.level for f in facts_list if f.level is not None))
    overall_why = Because.of(*(f.reason("assessment_level", level=f.level) for f in facts_list if f.level is overall))
    for f in flags:
        if f.raises_overall_to is not None and f.raises_overall_to.rank > overall.rank:
            overall, overall_why = f.raises_overall_to, Because.of(Reason(kind="overall_flag", flag=f.id))
    case_facts.overall_level = overall

    return Result(
        engine_version=__version__,
        checklist_versions={cl.id: cl.version for cl in checklists.values()},
        context=parsed.context,
        overall_level=overall,
        overall_because=list(overall_why.reasons),
        overall_reasons=overall_why.structured(),
        assessments=results,
        flags=flags,
        required_checklists=required,
        suggested_checklists=suggested,
        steps=_steps(case_facts, rules, context_agency, lang),
        notice=engine_text("notice", lang),
    )


def assess_one(
    case: dict[str, Any] | Case,
    lang: Language | str = Language.en,
    checklists: dict[str, Checklist] | None = None,
    rules: Rules | None = None,
) -> AssessmentResult:
    """The result of the case file's first assessment exactly as `assess` gives it in `assessments[0]`, without
    what `assess` adds for the case as a whole (flags, required checklists, steps): the live level beside a form,
    computed again on every answer. Raises InputError as `assess` does."""
    lang = Language(lang)
    checklists = checklists if checklists is not None else default_checklists()
    rules = rules if rules is not None else default_rules()
    parsed = parse_case(case, checklists)
    if not parsed.assessments:
        raise InputError(["assessments: the case file has no assessment"])
    a = parsed.assessments[0]
    subject = next(p for p in parsed.persons if p.id == a.subject)  # parse_case checked that it exists
    overrides = {(o.checklist, o.subject, o.agency, o.about): o for o in parsed.overrides}
    o = _override(overrides, a.checklist, a.subject, a.agency, _about_key(a, checklists))
    return _scored(checklists[a.checklist], a, parsed.context, _person_facts(subject, _unborn(parsed, rules)), o, lang)


def _scored(
    cl: Checklist, a: AssessmentInput, context: Context, subject: PersonFacts, o: Override | None, lang: Language
) -> AssessmentResult:
    """One assessment scored, with its agency, the person it is about and a professional's override."""
    res = score_assessment(cl, a.answers, context, subject, lang)
    res.about = a.about
    res.agency = a.agency
    if o is not None:
        res.level = o.level
        res.override_reason = o.reason.strip()
    floor = res.floor_level
    res.below_floor = floor is not None and res.level.rank < floor.rank
    return res


def _person_facts(p: Person, unborn: set[str]) -> PersonFacts:
    return PersonFacts(p.id, p.role, p.age, unborn=p.id in unborn)


def _unborn(case: Case, rules: Rules) -> set[str]:
    """Persons an assessment marks as not yet born (flags.yaml `unborn_item` answered yes)."""
    item = rules.flags.unborn_item
    if item is None:
        return set()
    return {a.subject for a in case.assessments if a.answers.get(item) is Answer.yes}


def _about_key(a: AssessmentInput, checklists: dict[str, Checklist]) -> str | None:
    """`about` is part of an assessment's identity where the checklist is about another person (one
    domestic-violence assessment per perpetrator); elsewhere it is only a note."""
    return a.about if checklists[a.checklist].about_role is not None else None


def _override(
    overrides: dict[tuple[str, str, Agency | None, str | None], Override],
    checklist: str,
    subject: str,
    agency: Agency | None,
    about: str | None,
) -> Override | None:
    """The override naming this assessment most exactly; validation has ruled out ambiguous ones."""
    for by in (agency, None):
        for of in (about, None):
            o = overrides.get((checklist, subject, by, of))
            if o is not None:
                return o
    return None


@dataclass(frozen=True)
class OutsidePopulationFacts:
    """Why a subject is outside the validated population: the legacy text, the notes alone, the age if it matched."""

    legacy: str | None = None
    notes: str | None = None
    age: int | None = None


def _outside_population(
    cl: Checklist, persons: list[Person], a: AssessmentInput, lang: Language
) -> OutsidePopulationFacts:
    """Why the subject falls outside the population the checklist's evidence comes from, or None.

    Each matching condition of `validated_population` is named by its id with what matched and its
    note; the age range of older checklist files (subject_min_age/subject_max_age) still works.
    """
    pop = cl.validated_population
    if pop is None:
        return OutsidePopulationFacts()
    by_id = {p.id: p for p in persons}
    subject = by_id[a.subject]
    about = _about_person(cl, persons, a)
    age = subject.age
    found: list[str] = []
    notes: list[str] = []
    age_matched: int | None = None
    if age is not None and (
        (pop.subject_min_age is not None and age < pop.subject_min_age)
        or (pop.subject_max_age is not None and age > pop.subject_max_age)
    ):
        found.append(f"age {age}: {pop.note(lang)}")
        notes.append(pop.note(lang))
        age_matched = age
    for limit in pop.outside:
        matched: list[str] = []
        if limit.subject_age_below is not None or limit.subject_age_at_least is not None:
            if age is None:
                continue
            if limit.subject_age_below is not None and not age < limit.subject_age_below:
                continue
            if limit.subject_age_at_least is not None and not age >= limit.subject_age_at_least:
                continue
            matched.append(f"age {age}")
            age_matched = age
        if limit.subject_gender:
            if subject.gender not in limit.subject_gender:
                continue
            matched.append(f"{subject.id}.gender={subject.gender}")
        if limit.same_gender_as_about:
            known = (Gender.female, Gender.male)
            if about is None or subject.gender not in known or about.gender != subject.gender:
                continue
            matched.append(f"{subject.id}.gender={subject.gender}={about.id}.gender")
        if limit.answers_yes:
            yes = [i for i in limit.answers_yes if a.answers.get(i) is Answer.yes]
            if not yes:
                continue
            matched.extend(yes)
        found.append(f"{limit.id} ({', '.join(matched)}): {limit.note(lang)}")
        notes.append(limit.note(lang))
    if not found:
        return OutsidePopulationFacts()
    return OutsidePopulationFacts("; ".join(found), " ".join(notes), age_matched)


def _about_person(cl: Checklist, persons: list[Person], a: AssessmentInput) -> Person | None:
    """The person the items are about: named in `about`, else the only person with the about role."""
    if a.about is not None:
        return next((p for p in persons if p.id == a.about), None)
    if cl.about_role is None:
        return None
    candidates = [p for p in persons if p.role is cl.about_role and p.id != a.subject]
    return candidates[0] if len(candidates) == 1 else None


def _required_checklists(
    case: Case, persons: dict[str, PersonFacts], checklists: dict[str, Checklist], rules: Rules
) -> tuple[list[RequiredChecklist], list[RequiredChecklist]]:
    """The checklists the case still needs (required) and the screens it prompts (suggested), one per person.

    Required rules are applied first, so a checklist both required and suggested for a person is listed as required.
    """
    have = {(a.checklist, a.subject) for a in case.assessments}
    about_of: dict[str, set[str]] = {}
    for a in case.assessments:
        role = checklists[a.checklist].about_role
        named = [a.about] if a.about else [p.id for p in persons.values() if role is not None and p.role is role]
        about_of.setdefault(a.checklist, set()).update(named)
    out: dict[str, list[RequiredChecklist]] = {"required": [], "suggested": []}
    listed: set[tuple[str, str]] = set()
    for kind in ("required", "suggested"):
        for rule in rules.flags.required_checklists:
            if rule.kind != kind:
                continue
            sel = rule.for_each_person
            for p in case.persons:
                f = persons[p.id]
                if sel.role is not None and not f.has_role(sel.role):
                    continue
                if sel.age_below is not None and not (
                    (f.age is not None and f.age < sel.age_below) or (f.age is None and f.is_child)
                ):
                    continue
                if sel.age_at_least is not None and (
                    (f.age is not None and f.age < sel.age_at_least) or (f.age is None and f.is_child)
                ):
                    continue
                if sel.assessed_with is not None and (sel.assessed_with, p.id) not in have:
                    continue
                if sel.about_of is not None and p.id not in about_of.get(sel.about_of, set()):
                    continue
                key = (rule.checklist, p.id)
                if key not in have and key not in listed:
                    listed.add(key)
                    out[kind].append(RequiredChecklist(checklist=rule.checklist, subject=p.id, rule=rule.id))
    return out["required"], out["suggested"]


def _flags(case: CaseFacts, rules: Rules, lang: Language) -> list[Flag]:
    flags: list[Flag] = []
    for rule in rules.flags.flags:
        got = rule.when.holds(Facts(case=case))
        if got is None:
            continue
        case.flags[rule.id] = got
        flags.append(
            Flag(
                id=rule.id,
                because=list(got.reasons),
                persons=list(got.persons),
                reasons=got.structured(),
                title=rule.title(lang),
                effect=rule.effect(lang),
                raises_overall_to=rule.raises_overall_to,
            )
        )
    first = {r.id for r in rules.flags.flags if r.shown_first}
    return sorted(flags, key=lambda f: f.id not in first)


def _reference(p: Provision) -> LegalBasis:
    return LegalBasis(id=p.id, citation=p.citation, verified=p.verified)


def _consent(rule: StepRule, got: Because, case: CaseFacts) -> ConsentStatus:
    """`given` only when every adult the step concerns, of the roles whose consent it needs, has consented to
    all its recipients. Only the person the information is about can waive its secrecy (OSL 12 kap. 2 §), so
    consent is read from the persons the step's condition named, never from anyone else in the case."""
    if rule.consent == "not_required":
        return ConsentStatus.not_required
    concerned = [p for p in got.persons if p in case.persons and case.persons[p].role in rule.consent_from]
    adults = [p for p in concerned if not case.persons[p].is_child]
    recipients = {a.value for a in rule.shares_with} or {str(rule.agency)}
    if adults and all(recipients <= case.consents.get(p, set()) for p in adults):
        return ConsentStatus.given
    return ConsentStatus.required


def _steps(case: CaseFacts, rules: Rules, own: Agency | None, lang: Language) -> list[Step]:
    steps: list[Step] = []
    for rule in rules.steps.steps:
        got = rule.when.holds(Facts(case=case))
        if got is None:
            continue
        agency = str(rule.agency)
        worded = rule.worded(Facts(case=case))  # domestic-violence wording only in a case with domestic violence
        action = worded.action if worded else rule.action
        note = worded.consent_note if worded and worded.consent_note else rule.consent_note
        case.steps[rule.id] = agency
        provisions = [rules.provisions[p] for p in rule.legal_basis]
        steps.append(
            Step(
                id=rule.id,
                agency=agency,
                urgency=rule.urgency,
                legal_basis=[p.citation for p in provisions],
                legal_references=[_reference(p) for p in provisions],
                consent=_consent(rule, got, case),
                because=list(got.reasons),
                persons=list(got.persons),
                reasons=got.structured(),
                action=action(lang),
                consent_note=note(lang) if note else None,
                own_agency=own is None or agency in (own.value, "any"),
                care_basis=rule.care_basis(lang) if rule.care_basis else None,
                legal_basis_by_agency={
                    str(a): [_reference(rules.provisions[p]) for p in ids]
                    for a, ids in rule.legal_basis_by_agency.items()
                },
            )
        )
    order = {r.id: n for n, r in enumerate(rules.steps.steps)}
    return sorted(steps, key=lambda s: (s.urgency.rank, s.agency, order[s.id]))


def level_word(level: RiskLevel, lang: Language | str = Language.en) -> str:
    """The level in words, from locales/engine.<lang>.yaml."""
    return engine_level_word(level, lang)

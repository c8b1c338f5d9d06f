"""assess(): a case file in, an explained result out. Pure: no I/O, no clock, no randomness.

Order: score each assessment → apply overrides → required checklists → flags →
overall level → collaboration steps. Each stage only reads what the stages before
it produced, so every level, flag and step can say what it came from.
"""

from __future__ import annotations

from typing import Any

from risk import __version__
from risk.checklists import Checklist, default_checklists
from risk.conditions import AssessmentFacts, Because, CaseFacts, Facts, PersonFacts
from risk.models import (
    NOTICE,
    AssessmentInput,
    AssessmentResult,
    Case,
    Flag,
    LegalBasis,
    Person,
    RequiredChecklist,
    Result,
    Step,
)
from risk.rules import Provision, Rules, StepRule, default_rules
from risk.scoring import score_assessment
from risk.validation import parse_case
from risk.vocabulary import Agency, Answer, ConsentStatus, Gender, Language, PersonRole, RiskLevel, max_level


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
    persons = {p.id: _person_facts(p) for p in parsed.persons}
    context_agency = rules.steps.context_agency[parsed.context]
    overrides = {(o.checklist, o.subject, o.agency): o for o in parsed.overrides}

    results: list[AssessmentResult] = []
    facts_list: list[AssessmentFacts] = []
    pairs = [(a.checklist, a.subject) for a in parsed.assessments]
    shared = {p for p in pairs if pairs.count(p) > 1}  # the same person assessed by several agencies
    for a in parsed.assessments:
        cl = checklists[a.checklist]
        res = score_assessment(cl, a.answers, parsed.context, persons[a.subject], lang)
        res.about = a.about
        res.agency = a.agency
        o = overrides.get((a.checklist, a.subject, a.agency)) or overrides.get((a.checklist, a.subject, None))
        if o is not None:
            res.level = o.level
            res.override_reason = o.reason.strip()
        agency = a.agency or context_agency or rules.steps.conference_default_agency
        facts_list.append(
            AssessmentFacts(
                checklist=cl.id,
                subject=persons[a.subject],
                about=[a.about] if a.about else [],
                answers=a.answers,
                critical_items=cl.critical_items,
                section_levels={k: s.level for k, s in res.sections.items() if s.level is not None},
                level=res.level,
                agency=agency.value,
                completeness=res.completeness,
                critical_not_known=res.critical_not_known,
                outside_population=_outside_population(cl, parsed.persons, a, lang),
                named_agency=a.agency.value if a.agency and (cl.id, a.subject) in shared else None,
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
    required = _required_checklists(parsed, rules)
    case_facts.missing_checklists = [(r.checklist, r.subject) for r in required]

    flags = _flags(case_facts, rules, lang)
    overall = max_level(*(r.level for r in results))
    overall_because = [
        f"{f.key}={r.level.value}" for f, r in zip(facts_list, results, strict=True) if r.level is overall
    ]
    for f in flags:
        if f.raises_overall_to is not None and f.raises_overall_to.rank > overall.rank:
            overall, overall_because = f.raises_overall_to, [f"flag:{f.id}"]
    case_facts.overall_level = overall

    return Result(
        engine_version=__version__,
        checklist_versions={cl.id: cl.version for cl in checklists.values()},
        context=parsed.context,
        overall_level=overall,
        overall_because=overall_because,
        assessments=results,
        flags=flags,
        required_checklists=required,
        steps=_steps(case_facts, rules, context_agency, lang),
        notice=NOTICE[lang.value],
    )


def _person_facts(p: Person) -> PersonFacts:
    return PersonFacts(p.id, p.role, p.age)


def _outside_population(cl: Checklist, persons: list[Person], a: AssessmentInput, lang: Language) -> str | None:
    """Why the subject falls outside the population the checklist's evidence comes from, or None.

    Each matching condition of `validated_population` is named by its id with what matched and its
    note; the age range of older checklist files (subject_min_age/subject_max_age) still works.
    """
    pop = cl.validated_population
    if pop is None:
        return None
    by_id = {p.id: p for p in persons}
    subject = by_id[a.subject]
    about = _about_person(cl, persons, a)
    age = subject.age
    found: list[str] = []
    if age is not None and (
        (pop.subject_min_age is not None and age < pop.subject_min_age)
        or (pop.subject_max_age is not None and age > pop.subject_max_age)
    ):
        found.append(f"age {age}: {pop.note(lang)}")
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
    return "; ".join(found) or None


def _about_person(cl: Checklist, persons: list[Person], a: AssessmentInput) -> Person | None:
    """The person the items are about: named in `about`, else the only person with the about role."""
    if a.about is not None:
        return next((p for p in persons if p.id == a.about), None)
    if cl.about_role is None:
        return None
    candidates = [p for p in persons if p.role is cl.about_role and p.id != a.subject]
    return candidates[0] if len(candidates) == 1 else None


def _required_checklists(case: Case, rules: Rules) -> list[RequiredChecklist]:
    have = {(a.checklist, a.subject) for a in case.assessments}
    out: list[RequiredChecklist] = []
    for rule in rules.flags.required_checklists:
        sel = rule.for_each_person
        for p in case.persons:
            if sel.role is not None and p.role not in sel.role:
                continue
            if sel.age_below is not None and not (
                (p.age is not None and p.age < sel.age_below) or (p.age is None and p.role is PersonRole.child)
            ):
                continue
            if sel.assessed_with is not None and (sel.assessed_with, p.id) not in have:
                continue
            key = (rule.checklist, p.id)
            if key not in have and all((r.checklist, r.subject) != key for r in out):
                out.append(RequiredChecklist(checklist=rule.checklist, subject=p.id, rule=rule.id))
    return out


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
    adults = [p for p in concerned if case.persons[p].role is not PersonRole.child]
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
                action=rule.action(lang),
                consent_note=rule.consent_note(lang) if rule.consent_note else None,
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
    words = {"sv": {"low": "låg", "moderate": "måttlig", "high": "hög", "severe": "mycket hög"}}
    return words.get(Language(lang).value, {}).get(level.value, level.value)

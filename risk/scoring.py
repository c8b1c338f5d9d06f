"""Transparent scoring of one checklist: answers in, score, range, level and reasons out.

The arithmetic works on boolean arrays (rows × items) so that one code path scores a
single assessment for `assess` and a million rows for `score_frame`: the two can never
disagree. Unknown and unasked items never count as no: they are scored as yes for
`score_max` and `level_max`, and lower `completeness`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from risk.checklists import Checklist
from risk.conditions import AssessmentFacts, Facts, PersonFacts, VectorFacts
from risk.models import AssessmentResult, Contribution, LevelReason, Reason, SectionResult
from risk.text import engine_level_word, engine_text
from risk.vocabulary import LEVEL_ORDER, Answer, Context, Language, PersonRole, RiskLevel, max_level

IntArray = npt.NDArray[np.int64]
LevelArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Compiled:
    """A checklist turned into arrays once, for fast repeated scoring."""

    checklist: Checklist
    ids: list[str]
    index: dict[str, int]
    points: IntArray
    critical: BoolArray
    item_level: LevelArray  # level a yes gives in a highest_positive section, else -1
    section_masks: dict[str, BoolArray]
    total_mask: BoolArray  # weighted_sum items without section bands: they count toward total_bands
    form_masks: dict[str, BoolArray]

    def form_mask(self, context: Context) -> BoolArray:
        return self.form_masks[self.checklist.form_for(context).id]


_COMPILED: dict[int, Compiled] = {}


def compile_checklist(cl: Checklist) -> Compiled:
    """Compile once per loaded checklist (checklists are frozen, so the arrays stay right)."""
    got = _COMPILED.get(id(cl))
    if got is None or got.checklist is not cl:
        got = _COMPILED[id(cl)] = _compile(cl)
    return got


def _compile(cl: Checklist) -> Compiled:
    ids = list(cl.items)
    k = len(ids)
    item_level = np.full(k, -1, dtype=np.int8)
    section_masks: dict[str, BoolArray] = {}
    total_mask = np.zeros(k, dtype=bool)
    for s in cl.sections:
        mask = np.array([cl.section_of[i] == s.id for i in ids])
        section_masks[s.id] = mask
        if s.scoring == "weighted_sum" and not s.bands:
            total_mask |= mask
        for item in s.items:
            if item.level is not None:
                item_level[ids.index(item.id)] = item.level.rank
    return Compiled(
        checklist=cl,
        ids=ids,
        index={i: n for n, i in enumerate(ids)},
        points=np.array([cl.items[i].points for i in ids], dtype=np.int64),
        critical=np.array([cl.items[i].critical for i in ids]),
        item_level=item_level,
        section_masks=section_masks,
        total_mask=total_mask,
        form_masks={f.id: np.array([f.id in cl.items[i].forms for i in ids]) for f in cl.forms},
    )


def _band(values: IntArray, mins: list[int], levels: list[RiskLevel]) -> LevelArray:
    codes = np.array([lv.rank for lv in levels], dtype=np.int8)
    return codes[np.searchsorted(np.array(mins), values, side="right") - 1]


@dataclass
class Scores:
    score: IntArray
    section_score: dict[str, IntArray]
    section_level: dict[str, LevelArray]
    total_level: LevelArray | None
    critical_yes: BoolArray
    rule_hits: dict[str, BoolArray]
    level: LevelArray


def score_arrays(cc: Compiled, yes: BoolArray) -> Scores:
    """Scores and levels of many assessments; `yes` is (rows, items) in `cc.ids` order.

    Column by column, so a million rows need no (rows × items) integer temporary.
    """
    cl = cc.checklist
    n = yes.shape[0]
    level = np.zeros(n, dtype=np.int8)
    score = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    section_score: dict[str, IntArray] = {}
    section_level: dict[str, LevelArray] = {}
    for s in cl.sections:
        cols = np.flatnonzero(cc.section_masks[s.id])
        sub = np.zeros(n, dtype=np.int64)
        for j in cols:
            if cc.points[j]:
                sub += yes[:, j] * cc.points[j]
        section_score[s.id] = sub
        score += sub
        if s.scoring == "highest_positive":
            lv = np.zeros(n, dtype=np.int8)
            for j in cols:
                lv = np.maximum(lv, np.where(yes[:, j], cc.item_level[j], 0).astype(np.int8))
        elif s.scoring == "count" and s.bands:
            counts = yes[:, cols].sum(axis=1)
            lv = _band(counts, [b.min for b in s.bands], [b.level for b in s.bands])
        elif s.bands:
            lv = _band(sub, [b.min for b in s.bands], [b.level for b in s.bands])
        else:
            total += sub
            continue
        section_level[s.id] = lv
        level = np.maximum(level, lv)
    total_level = None
    if cl.total_bands:
        total_level = _band(total, [b.min for b in cl.total_bands], [b.level for b in cl.total_bands])
        level = np.maximum(level, total_level)
    facts = VectorFacts(yes=yes, item_index=cc.index, critical=cc.critical, section_levels=section_level)
    critical_yes = np.asarray(facts.critical_yes > 0)
    level = np.where(critical_yes, np.maximum(level, cl.critical_level.rank), level).astype(np.int8)
    rule_hits: dict[str, BoolArray] = {}
    for rule in cl.level_rules:
        hit = rule.when.vector(facts)
        rule_hits[rule.id] = hit
        level = np.where(hit, np.maximum(level, rule.level.rank), level).astype(np.int8)
    return Scores(score, section_score, section_level, total_level, critical_yes, rule_hits, level)


def answer_arrays(cc: Compiled, answers: Mapping[str, Answer]) -> tuple[BoolArray, BoolArray, BoolArray]:
    """(yes, known, answered) rows for one assessment."""
    yes = np.zeros((1, len(cc.ids)), dtype=bool)
    known = np.zeros_like(yes)
    answered = np.zeros_like(yes)
    for item, answer in answers.items():
        col = cc.index[item]
        answered[0, col] = True
        yes[0, col] = answer is Answer.yes
        known[0, col] = answer is not Answer.unknown
    return yes, known, answered


def _lv(code: int | np.integer) -> RiskLevel:
    return LEVEL_ORDER[int(code)]


def score_assessment(
    cl: Checklist,
    answers: Mapping[str, Answer],
    context: Context,
    subject: PersonFacts | None = None,
    lang: Language = Language.en,
) -> AssessmentResult:
    """Score one assessment and explain every point and every step of the level."""
    cc = compile_checklist(cl)
    yes, known, answered = answer_arrays(cc, answers)
    in_form = cc.form_mask(context)[None, :] | answered
    now = score_arrays(cc, yes)
    worst = score_arrays(cc, yes | (in_form & ~known))
    subject = subject or PersonFacts("?", PersonRole.other, None)
    facts = Facts(
        assessment=AssessmentFacts(
            checklist=cl.id,
            subject=subject,
            about=[],
            answers=answers,
            critical_items=cl.critical_items,
            section_levels={s: _lv(v[0]) for s, v in now.section_level.items()},
        )
    )
    yes_items = [i for i in cc.ids if answers.get(i) is Answer.yes]
    form_ids = [i for n, i in enumerate(cc.ids) if in_form[0, n]]
    contributions = []
    critical_word = engine_level_word(cl.critical_level, lang)
    for i in yes_items:
        item = cl.items[i]
        contributions.append(
            Contribution(
                item=i,
                answer=Answer.yes,
                points=item.points,
                section=cl.section_of[i],
                critical=item.critical,
                why=engine_text(
                    "contribution.critical" if item.critical else "contribution.plain",
                    lang,
                    question=item.text(lang),
                    points=item.points,
                    level=critical_word,
                    evidence=item.evidence,
                ),
            )
        )
    reasons = _level_reasons(cl, now, yes_items, facts, lang)
    # The floor: what facts alone set (critical items, level rules); bands of points are left to judgement.
    floor = [r.level for r in reasons if r.rule == "critical_item" or r.rule.startswith("rule:")]
    sections = {
        s.id: SectionResult(
            method=s.scoring,
            score=int(now.section_score[s.id][0]),
            score_max=int(worst.section_score[s.id][0]),
            level=_lv(now.section_level[s.id][0]) if s.id in now.section_level else None,
            level_max=_lv(worst.section_level[s.id][0]) if s.id in worst.section_level else None,
        )
        for s in cl.sections
    }
    computed = _lv(now.level[0])
    return AssessmentResult(
        checklist=cl.id,
        subject=subject.id,
        form=cl.form_for(context).id,
        score=int(now.score[0]),
        score_max=int(worst.score[0]),
        completeness=round(float((known & in_form).sum() / in_form.sum()), 4),
        computed_level=computed,
        level=computed,
        level_max=_lv(worst.level[0]),
        critical_items=[i for i in yes_items if cl.items[i].critical],
        contributions=contributions,
        unknown_items=[i for i in cc.ids if answers.get(i) is Answer.unknown],
        unasked_items=[i for i in form_ids if i not in answers],
        critical_not_known=[i for i in form_ids if cl.items[i].critical and answers.get(i) in (None, Answer.unknown)],
        level_reasons=reasons,
        sections=sections,
        floor_level=max_level(*floor) if floor else None,
    )


def _level_reasons(cl: Checklist, now: Scores, yes_items: list[str], facts: Facts, lang: Language) -> list[LevelReason]:
    out: list[LevelReason] = []
    assessment = facts.assessment
    assert assessment is not None

    def items(ids: list[str]) -> list[Reason]:
        return [assessment.reason("item", item=i) for i in ids]

    for s in cl.sections:
        if s.id in now.section_level and now.section_level[s.id][0] > 0:
            in_section = [i for i in yes_items if cl.section_of[i] == s.id]
            why = engine_text(
                f"level_reason.{s.scoring}",
                lang,
                section=s.title(lang),
                n=len(in_section),
                points=int(now.section_score[s.id][0]),
            )
            out.append(
                LevelReason(
                    rule=f"section:{s.id}",
                    level=_lv(now.section_level[s.id][0]),
                    because=in_section,
                    why=why,
                    reasons=items(in_section),
                )
            )
    if now.total_level is not None and now.total_level[0] > 0:
        total_items = [i for i in yes_items if not any(s.bands for s in cl.sections if s.id == cl.section_of[i])]
        points = sum(cl.items[i].points for i in total_items)
        out.append(
            LevelReason(
                rule="total",
                level=_lv(now.total_level[0]),
                because=total_items,
                why=engine_text("level_reason.total", lang, points=points),
                reasons=items(total_items),
            )
        )
    crit = [i for i in yes_items if cl.items[i].critical]
    if crit:
        out.append(
            LevelReason(
                rule="critical_item",
                level=cl.critical_level,
                because=crit,
                why=engine_text("level_reason.critical_item", lang),
                reasons=items(crit),
            )
        )
    for rule in cl.level_rules:
        if now.rule_hits[rule.id][0]:
            got = rule.when.holds(facts)
            out.append(
                LevelReason(
                    rule=f"rule:{rule.id}",
                    level=rule.level,
                    because=list(got.reasons) if got else [],
                    why=rule.explanation(lang),
                    source=rule.source,
                    reasons=got.structured() if got else [],
                )
            )
    return out

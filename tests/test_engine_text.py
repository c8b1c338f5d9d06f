"""Text the engine writes into a result comes from locales/engine.{sv,en}.yaml: both languages have the same keys
and placeholders, and a Swedish result has no English engine text and no raw codes where a person reads it."""

from __future__ import annotations

import json
import re
import string

import pytest

from risk import assess
from risk.checklists import default_checklists
from risk.models import Result
from risk.text import load_engine_texts
from risk.vocabulary import Language, RiskLevel
from tests.conftest import ROOT, make_case
from ui.i18n import t

VIGNETTES = sorted((ROOT / "tests" / "vignettes").glob("*.json"))
LEVEL_CODES = re.compile(r"\b(low|moderate|high|severe)\b")
ID_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)*\.[a-z0-9]+(?:_[a-z0-9]+)+\b")  # dv.strangulation, police.protect_victim


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    sv, en = load_engine_texts(Language.sv), load_engine_texts(Language.en)
    assert set(sv) == set(en)
    assert {k: _placeholders(sv[k]) for k in sv} == {k: _placeholders(en[k]) for k in en}


def test_engine_level_words_are_those_of_the_pages() -> None:
    for lang in Language:
        texts = load_engine_texts(lang)
        assert [texts[f"level.{lv.value}"] for lv in RiskLevel] == [
            t(f"level.{lv.value}", lang.value) for lv in RiskLevel
        ]


def _read_by_people(result: Result) -> list[str]:
    """Every text of a result that a person reads, without the research evidence (cited as published)."""
    evidence = {i: item.evidence for cl in default_checklists().values() for i, item in cl.items.items()}
    out = [result.notice]
    for a in result.assessments:
        out += [c.why.replace(evidence[c.item], "") for c in a.contributions]
        out += [r.why for r in a.level_reasons]
    out += [x for f in result.flags for x in (f.title, f.effect)]
    out += [x for s in result.steps for x in (s.action, s.consent_note or "")]
    return out


def _english_engine_fragments() -> list[str]:
    """The fixed words of every English engine text (the parts between placeholders), where they are words."""
    sv = set(load_engine_texts(Language.sv).values())
    out = []
    for key, text in load_engine_texts(Language.en).items():
        if key.startswith("level.") or text in sv:
            continue
        for literal, _, _, _ in string.Formatter().parse(text):
            words = literal.strip(" ().:+")
            if len(words) > 4:
                out.append(words)
    return out


CASES = [json.loads(p.read_text())["case"] for p in VIGNETTES] + [
    make_case(
        assessments=[
            {"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": {"dv.strangulation": "yes"}}
        ],
        overrides=[{"checklist": "domestic_violence", "subject": "v1", "level": "low", "reason": "Bedömt annorlunda."}],
    )
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["context"]))
def test_a_swedish_result_has_no_english_and_no_raw_codes(case: dict[str, object]) -> None:
    texts = _read_by_people(assess(case, lang="sv"))
    english = _english_engine_fragments()
    assert english, "the English engine texts have words to look for"
    assert [(f, x) for x in texts for f in english if f in x] == []
    assert [x for x in texts if LEVEL_CODES.search(x)] == []
    assert [x for x in texts if ID_CODE.search(x)] == []


def test_the_english_result_uses_the_english_texts() -> None:
    result = assess(CASES[-1], lang="en")
    assert result.notice == load_engine_texts(Language.en)["notice"]
    crit = next(c for c in result.assessments[0].contributions if c.critical)
    assert "Critical: a yes raises the level to at least high." in crit.why
    sv = assess(CASES[-1], lang="sv").assessments[0].contributions[0]
    assert "Kritisk: ett ja höjer nivån till minst hög." in sv.why

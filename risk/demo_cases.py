"""Made-up cases for the demo, generated from a seed into data/demo_generated.json (`python -m risk.demo_cases`).

Enough assessments that a new supervisor sees figures: the police's assessments cover every level for women and
men with at least MIN_CELL each, so the figures by gender are shown, while age groups and the other agencies have
small groups that the figures must hide. Nothing here describes a real person: ages, genders and answers are
drawn at random, and each case's answers are drawn until the engine gives the level the case was meant to have.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from risk.checklists import default_checklists
from risk.vocabulary import LEVEL_ORDER

LEVELS = [lv.value for lv in LEVEL_ORDER]
# the police's domestic-violence cases: how many of each level per gender of the victim
POLICE_PER_LEVEL = {"female": 7, "male": 5}
# the other agencies' cases, each with a level drawn at random: (context, owner, checklist, subject role, count)
OTHERS: tuple[tuple[str, str, str, str, int], ...] = (
    ("emergency_department", "vard", "psychiatric", "other", 8),
    ("emergency_department", "vard", "domestic_violence", "victim", 3),
    ("social_services", "soc", "child_welfare", "child", 7),
)
AGENCY_OF = {"polis": "police", "vard": "healthcare", "soc": "social_services"}
UNKNOWN_SHARE = 0.12
ADULT_AGES = ((18, 24, 3), (25, 44, 9), (45, 64, 5), (65, 85, 1))  # (youngest, oldest, weight)
TRIES = 400


def _age(rng: random.Random, role: str) -> int:
    if role == "child":
        return rng.randint(0, 17)
    low, high, _ = rng.choices(ADULT_AGES, weights=[w for _, _, w in ADULT_AGES])[0]
    return rng.randint(low, high)


def _draw(rng: random.Random, checklist: str, form: str, level: str) -> dict[str, str]:
    """Answers with about as many yes as the level needs: none of the critical items below severe."""
    share = {"low": 0.02, "moderate": 0.12, "high": 0.25, "severe": 0.3}[level]
    out: dict[str, str] = {}
    for item in default_checklists()[checklist].items.values():
        if form not in (item.forms or [form]):
            continue
        draw = rng.random()
        yes = draw < share and (level == "severe" or not item.critical)
        out[item.id] = "yes" if yes else "unknown" if draw > 1 - UNKNOWN_SHARE else "no"
    return out


def _answers(rng: random.Random, case: dict[str, Any], assessment: dict[str, Any], level: str) -> dict[str, str]:
    """Answers for which the engine gives `level` (drawn again until it does; the seed makes it repeatable)."""
    from risk.engine import assess  # the engine only when the demo is made

    form = "full" if case["context"] == "social_services" else "short"
    answers: dict[str, str] = {}
    for _ in range(TRIES):
        answers = _draw(rng, assessment["checklist"], form, level)
        scored = {k: v for k, v in assessment.items() if k in ("checklist", "subject", "about")}
        agency = AGENCY_OF[assessment["by"]]
        file = {
            "context": case["context"],
            "persons": case["persons"],
            "assessments": [{**scored, "answers": answers, "agency": agency}],
        }
        if assess(file).assessments[0].computed_level.value == level:
            return answers
    return answers  # the level could not be met: the case keeps the level its answers give


def _case(
    rng: random.Random, n: int, context: str, owner: str, checklist: str, role: str, gender: str | None, level: str
) -> dict[str, Any]:
    subject: dict[str, Any] = {"id": "p1", "role": role, "age": _age(rng, role)}
    subject["gender"] = gender or rng.choices(["female", "male", "other"], weights=[10, 10, 1])[0]
    persons = [subject]
    assessment: dict[str, Any] = {"by": owner, "checklist": checklist, "subject": "p1"}
    if checklist == "domestic_violence":
        partner = "male" if subject["gender"] == "female" else rng.choice(["female", "male"])
        persons.append({"id": "p2", "role": "suspect", "age": _age(rng, "suspect"), "gender": partner})
        assessment["about"] = "p2"
    case: dict[str, Any] = {
        "reference": f"DEMO-{n}",
        "context": context,
        "by": owner,
        "persons": persons,
    }
    assessment["answers"] = _answers(rng, case, assessment, level)
    assessment["reassess_in_days"] = rng.choice([1, 7, 14, 30])
    return {**case, "assessments": [assessment]}


def generated_cases(seed: int, first_number: int = 101) -> list[dict[str, Any]]:
    """Synthetic cases in the format of data/demo.json's `cases`, the same ones for the same seed."""
    rng = random.Random(seed)
    plan: list[tuple[str, str, str, str, str | None, str]] = [
        ("police_intake", "polis", "domestic_violence", "victim", gender, level)
        for gender, count in POLICE_PER_LEVEL.items()
        for level in LEVELS
        for _ in range(count)
    ]
    plan += [(c, o, cl, r, None, rng.choice(LEVELS)) for c, o, cl, r, count in OTHERS for _ in range(count)]
    rng.shuffle(plan)
    return [_case(rng, first_number + i, *slot) for i, slot in enumerate(plan)]


GENERATED_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_generated.json"
SEED = 2026
NOTE = (
    "SYNTETISKA DEMODATA – påhittade ärenden dragna slumpvis (risk/demo_cases.py). "
    "SYNTHETIC DEMO DATA – made-up cases drawn at random from a seed."
)


def generated_file(seed: int = SEED) -> str:
    """The text of data/demo_generated.json for `seed` (tests check that the file is exactly this)."""
    body = {"note": NOTE, "seed": seed, "cases": generated_cases(seed)}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":
    GENERATED_FILE.write_text(generated_file(), encoding="utf-8")
    print(f"wrote {GENERATED_FILE}")

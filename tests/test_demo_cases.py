"""The generated demo cases: the file is exactly what the seed makes, made up, and enough for the figures."""

from __future__ import annotations

import json
from collections import Counter

from risk.demo_cases import GENERATED_FILE, POLICE_PER_LEVEL, SEED, generated_file
from risk.storage.access import MIN_CELL


def test_the_shipped_file_is_what_the_seed_makes() -> None:
    assert GENERATED_FILE.read_text(encoding="utf-8") == generated_file(SEED), (
        "data/demo_generated.json is out of date: run `python -m risk.demo_cases`"
    )


def test_every_generated_case_is_labelled_made_up_and_names_no_one() -> None:
    body = json.loads(GENERATED_FILE.read_text(encoding="utf-8"))
    assert "SYNTHETIC" in body["note"] and "SYNTETISKA" in body["note"]
    for case in body["cases"]:
        assert case["reference"].startswith("DEMO-")
        assert {p["id"] for p in case["persons"]} <= {"p1", "p2"}  # no names, only ids


def test_the_police_figures_have_no_group_below_the_smallest_shown() -> None:
    body = json.loads(GENERATED_FILE.read_text(encoding="utf-8"))
    police = Counter(c["persons"][0]["gender"] for c in body["cases"] if c["by"] == "polis")
    assert all(n >= MIN_CELL for n in POLICE_PER_LEVEL.values())
    assert police == {g: 4 * n for g, n in POLICE_PER_LEVEL.items()}  # four levels each
    assert 60 <= len(body["cases"]) <= 120

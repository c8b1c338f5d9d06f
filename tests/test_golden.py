"""The whole result of every vignette equals its golden file (tests/golden/), in both languages.

A difference is either a regression or an intended change: regenerate with `.venv/bin/python -m tests.golden
--update` and let the diff of the golden files be reviewed with the change that caused it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden import GOLDEN_DIR, LANGS, golden_path, render, vignettes, whole_result

HOW = "regenerate with `.venv/bin/python -m tests.golden --update` if the change is intended, and review the diff"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("vignette", vignettes(), ids=lambda p: p.stem)
def test_result_equals_golden_file(vignette: Path, lang: str) -> None:
    path = golden_path(vignette, lang)
    assert path.exists(), f"{path.name} is missing: {HOW}"
    got = whole_result(vignette, lang)
    want = json.loads(path.read_text(encoding="utf-8"))
    assert got == want, f"{path.name} differs: {HOW}"
    assert render(got) == path.read_text(encoding="utf-8"), f"{path.name}: same content, other order: {HOW}"


def test_every_golden_file_has_its_vignette() -> None:
    expected = {golden_path(v, lang) for v in vignettes() for lang in LANGS}
    assert set(GOLDEN_DIR.glob("*.json")) - expected == set(), HOW


def test_there_is_a_golden_file_per_vignette_and_language() -> None:
    assert len(vignettes()) >= 6

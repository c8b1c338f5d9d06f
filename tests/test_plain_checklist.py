"""The plain form of a checklist (what `score` reads from the YAML without the models) scores as the engine does."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from risk.batch import ADDED, neutralise_formulas, open_answers_csv, read_opened_csv, score_frame
from risk.batch_arrow import score_csv
from risk.checklists import CHECKLIST_DIR, CHECKLIST_FILES, default_checklists, parse_checklist, read_yaml
from risk.errors import ChecklistError
from risk.plain_checklist import NotPlain, PlainChecklist, from_model, from_yaml, load_plain, score_rows
from risk.scoring import compile_checklist, score_arrays
from risk.vocabulary import Context


def _fields(pc: PlainChecklist) -> dict[str, Any]:
    return {
        "id": pc.id,
        "item_prefix": pc.item_prefix,
        "items": pc.items,
        "points": pc.points.tolist(),
        "critical": pc.critical.tolist(),
        "item_level": pc.item_level.tolist(),
        "sections": pc.sections,
        "total": (pc.total_band_mins, pc.total_band_ranks),
        "critical_rank": pc.critical_rank,
        "rules": pc.rules,
        "forms": {ctx: mask.tolist() for ctx, mask in pc.form_masks.items()},
    }


@pytest.mark.parametrize("name", CHECKLIST_FILES)
def test_read_from_the_yaml_it_is_what_the_models_give(name: str) -> None:
    plain, model = load_plain(name), default_checklists()[name]
    assert _fields(plain) == _fields(from_model(model))
    cc = compile_checklist(model)
    assert plain.ids == cc.ids
    assert (plain.points == cc.points).all() and (plain.critical == cc.critical).all()
    for ctx in Context:
        assert (plain.form_mask(ctx) == cc.form_mask(ctx)).all(), ctx


@pytest.mark.parametrize("name", CHECKLIST_FILES)
def test_score_rows_is_score_arrays(name: str) -> None:
    # from few yes to many, so that bands, critical items and every level rule are crossed both ways
    plain, cc = load_plain(name), compile_checklist(default_checklists()[name])
    hits: dict[str, set[bool]] = {rule.id: set() for rule in cc.checklist.level_rules}
    levels: set[int] = set()
    for p_yes in (0.05, 0.3, 0.7):
        rng = np.random.default_rng(int(p_yes * 100))
        yes = np.asfortranarray(rng.random((4000, len(plain.ids))) < p_yes)
        score, level = score_rows(plain, yes)
        want = score_arrays(cc, yes)
        assert (score == want.score).all()
        assert (level == want.level).all()
        levels |= set(level.tolist())
        for rule, hit in want.rule_hits.items():
            hits[rule] |= set(hit.tolist())
    assert all(seen == {True, False} for seen in hits.values()), hits
    assert len(levels) >= 3


def _pandas(path: Path, name: str, context: str) -> bytes:
    opened = open_answers_csv(str(path), name)
    scored = score_frame(read_opened_csv(opened), name, context=context)
    out = neutralise_formulas(scored, keep={*default_checklists()[name].items, *ADDED})
    buf = io.StringIO()
    out.to_csv(buf, index=False, sep=opened.sep, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", CHECKLIST_FILES)
@pytest.mark.parametrize("context", ["police_intake", "psychiatry", "case_conference"])
def test_score_with_the_plain_form_writes_what_the_engine_gives(tmp_path: Path, name: str, context: str) -> None:
    # answers yes / no / unknown / empty, some items not in the file: score, score_max, completeness and level
    import pandas as pd

    plain = load_plain(name)
    ids = plain.ids[2:]
    rng = np.random.default_rng(len(name))
    values = rng.choice(["yes", "no", "unknown", ""], size=(1500, len(ids)), p=[0.25, 0.45, 0.15, 0.15])
    df = pd.DataFrame(values, columns=ids)
    df.insert(1, "note", rng.choice(["plain", "=1+2", "a,b"], size=len(df)))
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    opened = open_answers_csv(str(src), name, checklists={name: plain})
    got = b"".join(bytes(b) for b in score_csv(opened, name, context, {name: plain}))
    assert got == _pandas(src, name, context)


def _raw(name: str = "domestic_violence") -> Any:
    return read_yaml(CHECKLIST_DIR / f"{name}.yaml")


def _first_item(raw: Any) -> dict[str, Any]:
    item: dict[str, Any] = raw["sections"][0]["items"][0]
    return item


BROKEN = {
    "points as text": lambda raw: _first_item(raw).update(points="3"),
    "points too high": lambda raw: _first_item(raw).update(points=21),
    "points a boolean": lambda raw: _first_item(raw).update(points=True),
    "critical not a truth value": lambda raw: _first_item(raw).update(critical="maybe"),
    "unknown item key": lambda raw: _first_item(raw).update(weight=2),
    "no forms": lambda raw: _first_item(raw).update(forms=[]),
    "an unknown form": lambda raw: _first_item(raw).update(forms=["tiny"]),
    "a level outside highest_positive": lambda raw: _first_item(raw).update(level="high"),
    "an unknown level": lambda raw: raw.update(critical_level="extreme"),
    "bands going down": lambda raw: raw.update(total_bands=[{"min": 0, "level": "high"}, {"min": 5, "level": "low"}]),
    "bands not from 0": lambda raw: raw.update(total_bands=[{"min": 1, "level": "low"}]),
    "an unknown scoring": lambda raw: raw["sections"][0].update(scoring="average"),
    "a context in two forms": lambda raw: raw["forms"][1]["contexts"].append("police_intake"),
    "a repeated item": lambda raw: raw["sections"][0]["items"].append(copy.deepcopy(_first_item(raw))),
    "an item of another prefix": lambda raw: _first_item(raw).update(id="psy.strangulation"),
    "a rule on an unknown item": lambda raw: raw["level_rules"][0].update(when={"yes": "dv.nothing"}),
    "a rule with an unknown operator": lambda raw: raw["level_rules"][0].update(when={"maybe": ["dv.strangulation"]}),
    "a rule with two operators": lambda raw: raw["level_rules"][0].update(
        when={"yes": "dv.strangulation", "all_yes": ["dv.stalking"]}
    ),
    "an unknown top-level key": lambda raw: raw.update(weights={}),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_what_the_models_refuse_the_plain_form_refuses(broken: str) -> None:
    raw = _raw()
    assert raw.get("level_rules"), "the mutations need a checklist with level rules"
    BROKEN[broken](raw)
    with pytest.raises(ChecklistError):
        parse_checklist(copy.deepcopy(raw), "domestic_violence.yaml")
    with pytest.raises(NotPlain):
        from_yaml(raw)


def test_a_rule_batch_scoring_cannot_use_is_left_to_the_models() -> None:
    raw = _raw()
    raw["level_rules"][0]["when"] = {"unknown": ["dv.strangulation"]}  # valid, but without a vector form
    parse_checklist(copy.deepcopy(raw), "domestic_violence.yaml")
    with pytest.raises(NotPlain):
        from_yaml(raw)


def test_score_takes_the_models_for_a_name_the_plain_form_does_not_read() -> None:
    from risk.cli import _score_checklists

    assert isinstance(_score_checklists("domestic_violence")["domestic_violence"], PlainChecklist)
    assert _score_checklists("dvx") is default_checklists()
    assert _score_checklists("flags") is default_checklists()  # a YAML file there, not a checklist


def test_score_imports_no_pydantic(tmp_path: Path) -> None:
    # the models, pydantic and risk.text were a third of score's start-up; the plain form needs none of them
    import subprocess
    import sys

    from tests.conftest import ROOT

    src = tmp_path / "in.csv"
    src.write_text("case_ref,dv.strangulation,dv.weapon_access\nK1,yes,unknown\nK2,,no\n", encoding="utf-8")
    argv = ["risk", "score", str(src), "--checklist", "domestic_violence", "-o", str(tmp_path / "o.csv")]
    code = (
        f"import sys; from risk.cli import main\nsys.argv = {argv!r}\nmain()\n"
        "print(sorted(m for m in ('pydantic', 'risk.checklists', 'risk.text') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "o.csv").read_bytes() == _pandas(src, "domestic_violence", "case_conference")

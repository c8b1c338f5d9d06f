"""Golden files: the whole result of every vignette in tests/vignettes/, in Swedish and English, so that a change
in a level, a reason, a wording or an order shows in review as a diff of tests/golden/<vignette>.<lang>.json.

Regenerate after an intended change, then read the diff before committing it:

    .venv/bin/python -m tests.golden --update

(`--check` compares without writing and exits 1 on a difference, as tests/test_golden.py does.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from risk import assess

GOLDEN_DIR = Path(__file__).resolve().parent
VIGNETTE_DIR = GOLDEN_DIR.parent / "vignettes"
LANGS = ("sv", "en")


def vignettes() -> list[Path]:
    return sorted(VIGNETTE_DIR.glob("*.json"))


def golden_path(vignette: Path, lang: str) -> Path:
    return GOLDEN_DIR / f"{vignette.stem}.{lang}.json"


def whole_result(vignette: Path, lang: str) -> dict[str, Any]:
    """The result as JSON, without `engine_version` (it changes on every release, the result need not)."""
    case = json.loads(vignette.read_text(encoding="utf-8"))["case"]
    result = assess(case, lang=lang).model_dump(mode="json")
    result.pop("engine_version")
    return result


def render(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=1) + "\n"


def update() -> list[Path]:
    """Write every golden file anew and remove those of vignettes that are gone; returns the files written."""
    written = []
    for vignette in vignettes():
        for lang in LANGS:
            path = golden_path(vignette, lang)
            path.write_text(render(whole_result(vignette, lang)), encoding="utf-8")
            written.append(path)
    for stale in set(GOLDEN_DIR.glob("*.json")) - set(written):
        stale.unlink()
    return written


def differences() -> list[str]:
    """The golden files that are missing or differ from the result now."""
    out = []
    expected = set()
    for vignette in vignettes():
        for lang in LANGS:
            path = golden_path(vignette, lang)
            expected.add(path)
            if not path.exists():
                out.append(f"{path.name}: missing")
            elif path.read_text(encoding="utf-8") != render(whole_result(vignette, lang)):
                out.append(f"{path.name}: differs")
    out += [f"{p.name}: no such vignette" for p in sorted(set(GOLDEN_DIR.glob("*.json")) - expected)]
    return out

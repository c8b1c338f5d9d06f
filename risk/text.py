"""Bilingual user text. Both languages are required, so a missing translation stops loading.

Text the engine itself writes into a result (notice, level words, why a level is what it is) comes from
locales/engine.sv.yaml and engine.en.yaml through `engine_text`, never from strings in the code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from risk.vocabulary import Language, RiskLevel


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str = Field(min_length=1, description="Svensk text")
    en: str = Field(min_length=1, description="English text")

    def __call__(self, lang: Language | str = Language.en) -> str:
        return self.sv if Language(lang) is Language.sv else self.en


ENGINE_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"


def _flatten(node: Any, prefix: str, out: dict[str, str], source: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, source)
    elif isinstance(node, str) and node.strip():
        out[prefix] = node
    else:
        raise ValueError(f"{source}: {prefix}: expected a non-empty text, got {node!r}")


def load_engine_texts(lang: Language | str, directory: Path = ENGINE_LOCALE_DIR) -> dict[str, str]:
    """locales/engine.<lang>.yaml as flat dotted keys ('level.high' → text)."""
    from risk.checklists import read_yaml  # checklists imports this module

    path = directory / f"engine.{Language(lang).value}.yaml"
    out: dict[str, str] = {}
    _flatten(read_yaml(path), "", out, path.name)
    return out


@functools.cache
def engine_texts(lang: Language) -> dict[str, str]:
    return load_engine_texts(lang)


def engine_text(key: str, lang: Language | str, **fmt: Any) -> str:
    """The engine's text for `key` in `lang` (locales/engine.<lang>.yaml), placeholders filled from `fmt`.

    A missing key or placeholder raises KeyError: the files are static and a test checks both languages."""
    text = engine_texts(Language(lang))[key]
    return text.format(**fmt) if fmt else text


def engine_level_word(level: RiskLevel | str, lang: Language | str) -> str:
    return engine_text(f"level.{RiskLevel(level).value}", lang)

"""Bilingual user text. Both languages are required, so a missing translation stops loading."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from risk.vocabulary import Language


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str = Field(min_length=1, description="Svensk text")
    en: str = Field(min_length=1, description="English text")

    def __call__(self, lang: Language | str = Language.en) -> str:
        return self.sv if Language(lang) is Language.sv else self.en

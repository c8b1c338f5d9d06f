"""The locale files: the same keys and placeholders in Swedish and English, a word for every identifier the
engine can put on a page, and a loud t() for a key that is missing."""

from __future__ import annotations

import pytest

from risk.rules import default_rules
from risk.vocabulary import Agency, Answer, ConsentStatus, Context, PersonRole, RiskLevel, Urgency
from ui.i18n import LANGUAGES, MissingTranslation, catalog, placeholders, strict, t


def test_sv_and_en_have_identical_keys() -> None:
    sv, en = set(catalog("sv")), set(catalog("en"))
    assert sv - en == set(), "in sv.yaml only"
    assert en - sv == set(), "in en.yaml only"


def test_placeholders_match_between_languages() -> None:
    sv, en = catalog("sv"), catalog("en")
    differ = {k: (placeholders(sv[k]), placeholders(en[k])) for k in sv if placeholders(sv[k]) != placeholders(en[k])}
    assert differ == {}


def test_every_identifier_has_a_word_in_both_languages() -> None:
    step_agencies = {str(s.agency) for s in default_rules().steps.steps}
    keys = (
        [f"level.{v.value}" for v in RiskLevel]
        + [f"answer.{v.value}" for v in Answer]
        + ["answer.unasked"]
        + [f"agency.{v}" for v in {a.value for a in Agency} | step_agencies]
        + [f"urgency.{v.value}" for v in Urgency]
        + [f"consent.{v.value}" for v in ConsentStatus]
        + [f"context.{v.value}" for v in Context]
        + [f"role.{v.value}" for v in PersonRole]
        + [f"lang.{code}" for code in LANGUAGES]
    )
    for lang in LANGUAGES:
        missing = [k for k in keys if k not in catalog(lang)]
        assert missing == [], lang


def test_swedish_words_of_the_vocabulary() -> None:
    assert [t(f"level.{v.value}", "sv") for v in RiskLevel] == ["låg", "måttlig", "hög", "mycket hög"]
    assert [t(f"answer.{v.value}", "sv") for v in Answer] == ["ja", "nej", "vet ej"]
    assert t("agency.police", "sv") == "polisen"
    assert t("agency.healthcare", "sv") == "hälso- och sjukvården"
    assert t("agency.prison_probation", "sv") == "kriminalvården"
    assert t("urgency.immediate", "sv") == "Nu – innan du lämnar platsen/patienten"
    assert t("steps.unverified", "sv") == "lagrum ej verifierat"
    assert t("steps.unverified", "en") == "legal reference not verified"


def test_placeholders_are_filled() -> None:
    assert t("intake.unanswered", "sv", n=3) == "Obesvarade frågor: 3"
    assert t("intake.unanswered", "en", n=3) == "Unanswered questions: 3"


def test_tests_run_strict() -> None:
    assert strict()


def test_missing_key_raises_in_tests() -> None:
    with pytest.raises(MissingTranslation, match=r"no\.such\.key"):
        t("no.such.key", "sv")
    with pytest.raises(MissingTranslation, match="placeholder"):
        t("intake.unanswered", "sv")
    with pytest.raises(MissingTranslation, match="unknown language"):
        t("notice", "de")


def test_missing_key_shows_the_key_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_I18N_STRICT", "0")
    assert t("no.such.key", "sv") == "⟦no.such.key⟧"
    assert t("intake.unanswered", "en") == "⟦intake.unanswered⟧"

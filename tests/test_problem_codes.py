"""Every problem the Store raises has a text in both languages, and a page says it in its own language.

The codes are found by reading the source (every `problem("code", …)` call under risk/), so a new code without a
text in locales/sv.yaml and locales/en.yaml fails here, as does a text whose placeholders a raise site does not give.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from risk.errors import InputError, Problem, problem
from risk.storage import ConflictError, PermissionDenied
from tests.conftest import ROOT
from ui.i18n import LANGUAGES, catalog
from ui.problems import problem_texts

ENGLISH = ("the ", " is ", " not ", " with ", "agency", "organisation", "social_services")
SWEDISH = ("å", "ä", "ö")


def raise_sites() -> list[tuple[str, int, str | None, set[str]]]:
    """(file, line, code or None where it is not a literal, parameter names) of every problem(...) call."""
    sites = []
    for path in sorted((ROOT / "risk").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "problem":
                first = node.args[0] if node.args else None
                code = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
                params = {k.arg for k in node.keywords if k.arg is not None}
                sites.append((str(path.relative_to(ROOT)), node.lineno, code, params))
    return sites


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_stores_problems() -> None:
    files = {f for f, *_ in raise_sites()}
    assert {"risk/storage/cases.py", "risk/storage/access.py", "risk/storage/workflows.py"} <= files
    assert len({code for *_, code, _ in raise_sites()}) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_raised_has_a_text_in_each_language_with_the_placeholders_its_raise_sites_give(lang: str) -> None:
    texts = catalog(lang)
    problems = []
    for where, line, code, params in raise_sites():
        if code is None:
            problems.append(f"{where}:{line}: the code is not a literal string (the scan cannot check it)")
            continue
        key = f"problems.{code}"
        if key not in texts:
            problems.append(f"{where}:{line}: {key} has no text in locales/{lang}.yaml")
        elif missing := placeholders(texts[key]) - params:
            problems.append(f"{where}:{line}: {key} in {lang} needs {sorted(missing)}, not given there")
    assert problems == []


def test_no_text_is_left_for_a_code_nothing_raises() -> None:
    raised = {code for *_, code, _ in raise_sites()}
    for lang in LANGUAGES:
        kept = {k.removeprefix("problems.") for k in catalog(lang) if k.startswith("problems.")}
        assert kept - raised == set(), lang


def test_a_problem_is_its_english_text_and_its_data() -> None:
    p = problem("consent_not_active", "consent", "consent: v1 has no active consent", person="v1")
    e = InputError([p, "plain: as before"])
    assert e.problems == ["consent: v1 has no active consent", "plain: as before"]  # what the CLI and logs read
    assert str(e) == "consent: v1 has no active consent\nplain: as before"
    assert [d.code for d in e.details] == ["consent_not_active", ""]
    assert e.details[0].params == {"person": "v1"} and e.details[0].field == "consent"
    denied = PermissionDenied(p, "second")
    assert str(denied) == "consent: v1 has no active consent; second"
    assert [d.code for d in denied.details] == ["consent_not_active", ""]


def test_vocabulary_is_said_in_words_and_what_was_typed_as_plain_text() -> None:
    e = InputError(
        [
            problem("organisation_other_agency", "to", "x", organisation="**polis**", organisation_agency="police",
                    agency="healthcare"),
            problem("safety_plan_person_role", "person", "x", person="s1", person_role="suspect", plan="victim",
                    person_roles=("victim",)),
            problem("concern_from_role", "from", "x", role="coordinator"),
        ]
    )  # fmt: skip
    sv = problem_texts(e, "sv", {"s1": "s1 – misstänkt, 40 år"})
    assert sv[0] == "\\*\\*polis\\*\\* hör till polisen, inte till hälso- och sjukvården."
    plan = "”Säkerhetsplan för den som utsatts”"
    assert sv[1] == f"s1 – misstänkt, 40 år är registrerad som misstänkt; planen {plan} är för: utsatt."
    assert sv[2] == "En samordnare för ärendemöten gör inte orosanmälningar; det gör en handläggare i ärendet."
    en = problem_texts(e, "en")
    assert en[0] == "\\*\\*polis\\*\\* belongs to police, not to health care."
    assert en[1] == "s1 is registered as suspect; the plan “Safety plan for the person exposed” is for: victim."
    assert en[2] == "A case-conference coordinator does not make concern reports; a case worker in the case does."
    for text in en:
        assert not any(c in text for c in SWEDISH), text


def test_removal_names_each_kind_of_record_in_the_pages_language() -> None:
    p = problem("person_named_in_records", "person", "x", person="v1", records=("assessments:2", "concern_reports:1"))
    [sv] = problem_texts(InputError([p]), "sv", {"v1": "v1 – utsatt, 31 år"})
    assert sv.startswith("v1 – utsatt, 31 år kan inte tas bort: bedömningar (2), orosanmälningar (1) i ärendet")
    [en] = problem_texts(InputError([p]), "en")
    assert en.startswith("v1 cannot be removed: assessments (2), concern reports (1) of this case")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_problem_without_a_code_is_never_shown_in_english_but_as_a_generic_message_with_a_reference(
    lang: str, caplog: pytest.LogCaptureFixture
) -> None:
    english = "holder: something the Store says in English only"
    texts = problem_texts(InputError([english, problem("reference_missing", "reference", "x")]), lang)
    assert len(texts) == 2 and english not in " ".join(texts)
    assert texts[0] == catalog(lang)["problems.reference_missing"]
    ref = texts[1].split()[-1].rstrip(".")
    assert ref.startswith("E-") and texts[1] == catalog(lang)["problem_fallback"].format(ref=ref)
    assert english in caplog.text and ref in caplog.text  # the English is in the log, under the reference
    [denied] = problem_texts(PermissionDenied("a supervisor does not see individual cases"), lang)
    assert denied.startswith(catalog(lang)["errors.access"].split("{")[0])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_conflict_says_what_was_kept_in_the_pages_language(lang: str) -> None:
    p = problem("assessment_conflict", "base_version", "English", checklist="domestic_violence", person="v1",
                version=3, base_version=2, kept=17)  # fmt: skip
    [text] = problem_texts(ConflictError(p, 3, 17), lang)
    assert "domestic_violence" not in text and "17" in text and "3" in text
    assert text.startswith({"sv": "Våld i nära relation för v1", "en": "Domestic violence for v1"}[lang])


def test_each_locale_file_keeps_the_problem_texts_in_its_own_language() -> None:
    for key, text in catalog("en").items():
        if key.startswith("problems."):
            assert not any(c in text for c in SWEDISH), key
    for key, text in catalog("sv").items():
        if key.startswith("problems."):
            assert not any(f" {w.strip()} " in f" {text} " for w in ("the", "is", "not", "with")), key


def test_problem_pickles_with_its_data() -> None:
    import pickle

    p = problem("not_a_child", "child", "child: c1 is not a child", person="c1")
    back = pickle.loads(pickle.dumps(p))
    assert isinstance(back, Problem) and back == p and back.code == "not_a_child" and back.params == {"person": "c1"}


def test_every_store_module_raising_an_input_error_by_text_is_known() -> None:
    """Raise sites still passing English strings without a code, outside what a page can reach (the command line's
    configuration and integrity checks): listed so a new one in a page's path is a decision, not an accident."""
    plain = set()
    for path in sorted((ROOT / "risk" / "storage").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("InputError", "PermissionDenied")
                and node.args
                and isinstance(node.args[0], (ast.List, ast.JoinedStr, ast.Constant))
                and any(isinstance(n, (ast.JoinedStr, ast.Constant)) for n in ast.walk(node.args[0]) if n is not node)
                and "problem(" not in ast.unparse(node.args[0])
            ):
                plain.add(Path(path).name)
    assert plain <= {"accounts.py", "base.py", "identity.py", "reports.py", "roles.py", "organisations.py",
                     "trail.py", "needs.py", "case_list.py", "users.py"}  # fmt: skip

"""The Store's problems (risk/errors.py Problem) said in the page's language, never in the Store's English.

A problem's code names its text (`problems.<code>` in locales/*.yaml); its parameters fill the placeholders: codes
of the vocabulary in words (the parameter's name says which vocabulary, WORDS), anything else — what the user typed,
an organisation's key, a date — as plain text. A problem without a code (or a code without a text) is never shown
in English: the page says a generic message with a reference, and the English goes to the log under it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import streamlit as st

from risk.errors import Param, Problem, as_problems
from risk.storage import PermissionDenied
from ui.errors import reference
from ui.i18n import catalog, t
from ui.labels import checklist_name, organisation_word
from ui.plain_text import md_escape
from ui.session import lang as page_lang

log = logging.getLogger("samrisk.app")

Word = Callable[[str, str], str]  # (code, language) → the code in words


def _checklist(code: str, lang: str) -> str:
    from risk.checklists import default_checklists

    cl = default_checklists().get(code)
    return checklist_name(cl, lang) if cl is not None else md_escape(code)


def _plan(code: str, lang: str) -> str:
    from risk.safety_plans import default_safety_plans

    plan = default_safety_plans().plan(code)
    return md_escape(plan.name(lang)) if plan is not None else md_escape(code)


def _keyed(group: str) -> Word:
    """A code said by the locale key `group.<code>`; a code without one as the plain text it is."""

    def word(code: str, lang: str) -> str:
        key = f"{group}.{code}"
        return t(key, lang) if key in catalog(lang) else md_escape(code)

    return word


def _records(kind_count: str, lang: str) -> str:
    kind, _, n = kind_count.partition(":")
    key = f"problem_words.records.{kind}"
    return t(key, lang, n=n) if key in catalog(lang) else md_escape(kind_count)


# A parameter's name says which vocabulary its value is a code of; a name not here is shown as plain text.
WORDS: dict[str, Word] = {
    "agency": _keyed("agency"),  # an agency code the Store did not know stays plain text, not ⟦agency.…⟧ Markdown
    "organisation_agency": _keyed("agency"),
    "organisation": lambda key, lang: md_escape(organisation_word(key, lang)),
    "organisations": lambda key, lang: md_escape(organisation_word(key, lang)),
    "role": _keyed("pages.roles"),
    "person_role": _keyed("role"),
    "person_roles": _keyed("role"),
    "checklist": _checklist,
    "checklists": _checklist,
    "plan": _plan,
    "methods": _keyed("workflows.concern.method"),
    "statuses": _keyed("pages.status"),
    "records": _records,
    "person_field": _keyed("problem_words.person_field"),
}
PERSON_PARAMS = ("person", "persons")  # person ids: their label in the case where the page knows it


def _param(name: str, value: Param, lang: str, persons: Mapping[str, str]) -> str:
    values = value if isinstance(value, tuple) else (value,)
    if name in PERSON_PARAMS:
        shown = [md_escape(persons.get(str(v), str(v))) for v in values]
    elif name in WORDS:
        shown = [WORDS[name](str(v), lang) for v in values]
    else:
        shown = [md_escape(str(v)) for v in values]
    return ", ".join(shown)


def problem_text(p: Problem, lang: str, persons: Mapping[str, str] | None = None) -> str | None:
    """The problem in `lang` (Markdown, typed values escaped), or None where it has no text there."""
    key = f"problems.{p.code}"
    if not p.code or key not in catalog(lang):
        return None
    return t(key, lang, **{name: _param(name, v, lang, persons or {}) for name, v in p.params.items()})


def problems_of(error: Exception) -> list[Problem]:
    """An error's problems as data: InputError and PermissionDenied carry them in `details`; any other its text."""
    details = getattr(error, "details", None)
    return list(details) if details else as_problems([str(error)])


def problem_texts(error: Exception, lang: str, persons: Mapping[str, str] | None = None) -> list[str]:
    """What to say for each problem of `error`; those without a text in `lang` become one generic message with a
    reference, their English written to the log under it."""
    out: list[str] = []
    untold: list[Problem] = []
    for p in problems_of(error):
        text = problem_text(p, lang, persons)
        if text is None:
            untold.append(p)
        else:
            out.append(text)
    if untold:
        ref = reference()
        log.warning("problems without a text in %s [%s]: %s", lang, ref, "; ".join(untold))
        key = "errors.access" if isinstance(error, PermissionDenied) else "problem_fallback"
        out.append(t(key, lang, ref=ref))
    return out


def show_problems(error: Exception, persons: Mapping[str, str] | None = None) -> None:
    """Each problem of a refused Store call as an error box, in the page's language."""
    for text in problem_texts(error, page_lang(), persons):
        st.error(text)

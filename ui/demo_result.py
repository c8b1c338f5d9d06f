"""Throwaway demo of the ui/ building blocks: `streamlit run ui/demo_result.py` from the repository root.

Assesses data/example_case.json (synthetic) with the engine and shows the whole result, or the police short form
with its live panel, in Swedish or English. No storage, no sign-in: the real pages are assembled in app.py.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run ui/demo_result.py` puts ui/ on the path, not the repository root
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from risk import assess  # noqa: E402
from risk.checklists import default_checklists  # noqa: E402
from risk.models import Step  # noqa: E402
from risk.vocabulary import LEVEL_ORDER  # noqa: E402
from ui.components import (  # noqa: E402
    level_badge,
    notice,
    render_assessment_result,
    render_flags,
    render_required_checklists,
    render_steps,
)
from ui.form import live_panel, render_checklist_form  # noqa: E402
from ui.i18n import LANGUAGES, t  # noqa: E402
from ui.labels import Catalog, checklist_name, level_word, person_labels  # noqa: E402


def example_case() -> dict[str, Any]:
    case: dict[str, Any] = json.loads((ROOT / "data" / "example_case.json").read_text(encoding="utf-8"))
    return case


def show_result(case: dict[str, Any], lang: str) -> None:
    checklists = default_checklists()
    catalog = Catalog.default(persons=person_labels(case["persons"], lang))
    result = assess(case, lang=lang)
    notice(st, lang)
    level_badge(st, result.overall_level, lang, label=t("result.overall", lang))
    render_flags(st, result.flags, lang, catalog=catalog)
    for assessment in result.assessments:
        render_assessment_result(st, assessment, checklists[assessment.checklist], lang, catalog=catalog)

    def on_start(checklist: str, subject: str) -> None:
        name = checklist_name(checklists[checklist], lang)
        st.toast(t("demo.started", lang, checklist=name, subject=catalog.person(subject)))

    def on_record_consent(step: Step) -> None:
        st.toast(t("demo.consent_recorded", lang, action=step.action))

    needed = [*result.required_checklists, *result.suggested_checklists]  # suggested screens in the same list
    render_required_checklists(st, needed, lang, on_start, catalog=catalog)
    render_steps(st, result.steps, lang, on_record_consent, catalog=catalog)


def show_form(case: dict[str, Any], lang: str) -> None:
    checklist = default_checklists()["domestic_violence"]
    notice(st, lang)
    answers = render_checklist_form(st, checklist, case["context"], {}, lang, key_prefix="demo.dv.v1")
    draft = {
        **case,
        "assessments": [{"checklist": "domestic_violence", "subject": "v1", "about": "s1", "answers": answers}],
    }
    result = assess(draft, lang=lang)
    with st.sidebar:
        st.divider()
        live_panel(st.sidebar, result.assessments[0], checklist, lang)


def main() -> None:
    # ?lang=en, ?view=form and ?override=high preselect the sidebar (handy for headless screenshots)
    query = st.query_params
    start_lang = query.get("lang") if query.get("lang") in LANGUAGES else LANGUAGES[0]
    lang = st.session_state.get("lang", start_lang)
    st.set_page_config(page_title=t("app.name", lang), layout="centered")
    lang = st.sidebar.radio(
        t("app.language", lang),
        LANGUAGES,
        index=LANGUAGES.index(start_lang),
        format_func=lambda code: t(f"lang.{code}", code),
        key="lang",
        horizontal=True,
    )
    views = ("result", "form")
    view = st.sidebar.radio(
        t("demo.view", lang),
        views,
        index=views.index(query["view"]) if query.get("view") in views else 0,
        format_func=lambda v: t(f"demo.view_{v}", lang),
        key="view",
    )
    st.title(t("demo.title", lang))
    st.caption(t("demo.synthetic", lang))
    case = copy.deepcopy(example_case())
    if view == "form":
        show_form(case, lang)
        return
    levels = [lv.value for lv in LEVEL_ORDER]
    preset = query.get("override")
    if st.sidebar.toggle(t("demo.show_override", lang), value=preset in levels, key="override"):
        level = st.sidebar.selectbox(
            t("demo.override_level", lang),
            levels,
            index=levels.index(preset) if preset in levels else 2,
            format_func=lambda v: level_word(v, lang),
            key="override_level",
        )
        case["overrides"] = [
            {
                "checklist": "domestic_violence",
                "subject": "v1",
                "level": level,
                "reason": t("demo.override_reason", lang),
            }
        ]
    show_result(case, lang)


main()

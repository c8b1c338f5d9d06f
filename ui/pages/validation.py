"""Local validation for supervisors: upload a follow-up file (outcome + score, or checklist answers), see how well
the score separates and how its levels match the observed outcomes, overall and per group, and save it as HTML.
From the same file, learn an integer points score (risk/points_score.py, as `python -m risk learn`): its
cross-validated AUC beside a logistic regression and the current score, its points, and for a checklist a proposed
weights file to download, for a person to review; nothing here changes a checklist.

The uploaded file is read in memory and never stored; only the report (figures, no rows) is kept in the session.
Who may see the page: risk/storage/access.py `may_validate_locally`.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from risk.checklists import default_checklists
from risk.errors import InputError
from risk.storage.access import may_validate_locally
from ui import session
from ui.labels import checklist_name, md_escape
from ui.problems import problem_texts
from ui.session import require_user, t

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a follow-up file of some 100,000 rows; larger files: the command line
REPORT = "validation.report"
LEARNED = "validation.learned"
MAX_LEARN_ROWS = 20_000  # learning is some seconds per 10,000 rows; larger files: python -m risk learn
NONE = "none"
SCORE, CHECKLIST = "score", "checklist"


def _problems(error: InputError) -> None:
    """What is wrong with the file, in the page's language (risk/errors.py Problem codes), after the page's own
    opening words; the Store's English is never shown here."""
    for text in problem_texts(error, session.lang()):
        st.error(t("validation.file_problem", problem=text))


def _read(upload: Any) -> Any | None:
    from risk.batch import choose_by_columns, read_csv_upload

    if upload.size > MAX_UPLOAD_BYTES:
        st.error(t("validation.too_large", mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
        return None

    def widest(head: bytes, truncated: bool) -> str:  # no column names known yet: the separator giving most columns
        return choose_by_columns(head, truncated, set(), upload.name)

    try:
        df, _ = read_csv_upload(upload.getvalue(), upload.name, None, widest)
    except InputError as e:
        _problems(e)
        return None
    if len(df.columns) < 2 or df.empty:
        st.error(t("validation.too_few_columns"))
        return None
    return df


def _outcome_and_source(columns: list[str], texts: str, source: str, modes: list[str]) -> tuple[Any, str, Any, str]:
    """The fields both forms open with: the outcome column, then what to score (or compare) with — a score column or a
    checklist's weights. `texts`: the locale block of the form's labels."""
    outcome = st.selectbox(t(f"{texts}.outcome"), columns, help=t("validation.outcome_help"))
    mode = st.radio(t(f"{texts}.{source}"), modes, horizontal=True, format_func=lambda m: t(f"{texts}.{m}"))
    score = st.selectbox(t(f"{texts}.score_column"), columns, index=min(1, len(columns) - 1))
    checklists = default_checklists()
    checklist = st.selectbox(
        t(f"{texts}.checklist_id"),
        list(checklists),
        format_func=lambda c: checklist_name(checklists[c], session.lang()),
    )
    return outcome, str(mode), score, str(checklist)


def _form(df: Any) -> dict[str, Any] | None:
    columns = [str(c) for c in df.columns]
    with st.form("validation.form"):
        outcome, mode, score, checklist = _outcome_and_source(columns, "validation", "source", [SCORE, CHECKLIST])
        groups = st.multiselect(
            t("validation.groups"), columns, help=t("validation.groups_help"), placeholder=t("pages.choose")
        )
        if not st.form_submit_button(t("validation.run"), type="primary"):
            return None
    return {"outcome": outcome, "mode": mode, "score": score, "checklist": checklist, "groups": groups}


def _run(df: Any, choice: dict[str, Any], file_id: str) -> None:
    from risk.local_validation import validate_frame

    try:
        with st.spinner(t("validation.running")):
            report = validate_frame(
                df,
                choice["outcome"],
                score=choice["score"] if choice["mode"] == SCORE else None,
                checklist=choice["checklist"] if choice["mode"] == CHECKLIST else None,
                groups=[g for g in choice["groups"] if g != choice["outcome"]],
                n_boot=1000,
            )
    except InputError as e:
        _problems(e)
        return
    st.session_state[REPORT] = (file_id, report)  # the report of this file only; never its rows


def _show(report: Any) -> None:
    import pandas as pd

    from ui import validation_report as vr

    lang = session.lang()
    alts = vr.alt_texts(report, lang)
    st.subheader(t("validation.result"))
    st.markdown(md_escape(vr.summary(report, lang)))
    note = vr.hidden_note(report, lang)
    if note is not None:
        st.info(note)
    for why in vr.curve_notes(report, lang):
        st.info(why)
    if not report.roc_suppressed:
        st.plotly_chart(vr.roc_figure(report, lang), width="stretch", alt=alts["roc"])
        st.caption(alts["roc"])
    st.plotly_chart(vr.calibration_figure(report, lang), width="stretch", alt=alts["calibration"])
    st.caption(alts["calibration"])
    st.table(pd.DataFrame(vr.level_table(report.levels, lang)))
    for g in report.groups:
        st.subheader(t("validation.group_title", column=md_escape(g.column)))
        st.plotly_chart(vr.group_figure(g, lang), width="stretch", alt=alts[g.column])
        st.caption(md_escape(alts[g.column]))
        st.table(pd.DataFrame(vr.group_table(g, lang)))
        for sentence in vr.differences(g, lang):
            st.markdown("- " + md_escape(sentence))
    st.download_button(
        t("validation.save_html"),
        data=vr.report_html(report, lang),
        file_name="samrisk-validation.html",
        mime="text/html",
        on_click="ignore",
    )


def _learn_form(df: Any) -> dict[str, Any] | None:
    columns = [str(c) for c in df.columns]
    with st.form("validation.learn_form"):
        outcome, mode, score, checklist = _outcome_and_source(columns, "learn", "compare", [NONE, SCORE, CHECKLIST])
        exclude = st.multiselect(
            t("learn.exclude"), columns, help=t("learn.exclude_help"), placeholder=t("pages.choose")
        )
        left, middle, right = st.columns(3)
        max_items = left.number_input(t("learn.max_items"), min_value=1, max_value=15, value=7, step=1)
        folds = middle.number_input(t("learn.folds"), min_value=2, max_value=10, value=5, step=1)
        seed = right.number_input(t("learn.seed"), min_value=0, max_value=1_000_000, value=0, step=1)
        if not st.form_submit_button(t("learn.run")):
            return None
    return {
        "outcome": outcome,
        "mode": mode,
        "score": score,
        "checklist": checklist,
        "exclude": exclude,
        "max_items": int(max_items),
        "folds": int(folds),
        "seed": int(seed),
    }


def _learn(df: Any, choice: dict[str, Any], file_id: str) -> None:
    from risk.points_score import learn_frame

    if len(df) > MAX_LEARN_ROWS:
        st.error(t("learn.too_many_rows", rows=len(df), max=MAX_LEARN_ROWS))
        return
    checklist = choice["checklist"] if choice["mode"] == CHECKLIST else None
    score = choice["score"] if choice["mode"] == SCORE and choice["score"] != choice["outcome"] else None
    try:
        with st.spinner(t("learn.running")):
            result = learn_frame(
                df,
                choice["outcome"],
                max_items=choice["max_items"],
                folds=choice["folds"],
                seed=choice["seed"],
                score=score,
                checklist=checklist,
                exclude=[c for c in choice["exclude"] if c not in (choice["outcome"], score)],
            )
    except InputError as e:
        _problems(e)
        return
    st.session_state[LEARNED] = (file_id, result, checklist)  # figures and points only; never the file's rows


def _show_learned(result: Any, checklist: str | None) -> None:
    import pandas as pd

    from risk.points_score import proposal_yaml
    from ui import validation_report as vr

    lang = session.lang()
    st.markdown(md_escape(vr.learned_summary(result, lang)))
    st.plotly_chart(vr.learned_figure(result, lang), width="stretch", alt=vr.learned_alt(result, lang))
    st.caption(vr.learned_alt(result, lang))
    st.table(pd.DataFrame(vr.learned_auc_table(result, lang)))
    st.markdown(f"**{t('learn.points_title')}**")
    st.table(pd.DataFrame(vr.learned_points_table(result, lang)))
    st.markdown(f"**{t('learn.risk_title')}**")
    st.table(pd.DataFrame(vr.learned_risk_table(result, lang)))
    if checklist is None:
        st.caption(t("learn.no_proposal"))
        return
    st.warning(t("learn.proposal_note"))
    st.download_button(
        t("learn.download"),
        data=proposal_yaml(result, checklist, made_by="Samrisk's local validation page"),
        file_name=f"proposal-{checklist}.yaml",
        mime="application/x-yaml",
        on_click="ignore",
    )


def _learn_section(df: Any, file_id: str) -> None:
    st.divider()
    st.subheader(t("learn.title"))
    st.caption(t("learn.intro"))
    choice = _learn_form(df)
    if choice is not None:
        _learn(df, choice, file_id)
    kept = st.session_state.get(LEARNED)
    if kept is not None and kept[0] == file_id:
        _show_learned(kept[1], kept[2])


def page() -> None:
    user = require_user()
    st.title(t("validation.title"))
    if not may_validate_locally(user.role):
        st.error(t("validation.not_allowed"))
        return
    st.caption(t("validation.intro"))
    upload = st.file_uploader(t("validation.upload"), type=["csv", "txt"], help=t("validation.upload_help"))
    if upload is None:
        st.session_state.pop(REPORT, None)
        st.session_state.pop(LEARNED, None)
        st.info(t("validation.no_file"))
        return
    df = _read(upload)
    if df is None:
        return
    choice = _form(df)
    if choice is not None:
        _run(df, choice, upload.file_id)
    kept = st.session_state.get(REPORT)
    if kept is not None and kept[0] == upload.file_id:  # another file's report is not shown under this one
        _show(kept[1])
    _learn_section(df, upload.file_id)

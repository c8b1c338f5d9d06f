"""Follow-up over time on the pages: the next reassessment date (due and overdue said in words and a shape, not
by colour alone), choosing another date, and what changed since the previous version (risk/followup.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import streamlit as st

from risk.checklists import Checklist, default_checklists
from risk.errors import InputError
from risk.followup import (
    Comparison,
    SavedVersion,
    compare_assessments,
    date_choice_problems,
    due_state,
    suggest_reassessment,
)
from risk.models import AssessmentResult, Result
from risk.storage import ConflictError, NotFound, PermissionDenied, Store, UserInfo
from risk.vocabulary import Answer, RiskLevel
from ui import session
from ui.i18n import t as text_in
from ui.labels import md_escape
from ui.nav import go
from ui.session import flash, set_target, t

CASE_WORKERS = ("officer", "clinician", "social_worker")
SHAPES = {"overdue": ":material/error:", "due": ":material/schedule:", "upcoming": ":material/event:"}
COLOURS = {"overdue": "red", "due": "orange"}


def due_markdown(due: date | str | None, today: date, lang: str) -> str:
    """'Reassessment overdue since …', '… due …' or 'Next reassessment …': an icon, words and (due, overdue) bold
    in a colour. Empty without a date."""
    if due is None:
        return ""
    day = date.fromisoformat(due) if isinstance(due, str) else due
    state = due_state(day, today)
    words = text_in(f"followup.{state}", lang, date=day.isoformat())
    line = f"{SHAPES[state]} {words}"
    return f"**:{COLOURS[state]}[{line}]**" if state in COLOURS else line


def due_filter(box: Any) -> bool:
    """On the case list, in `box` (the search's column): all cases, or only those where the user's agency has a
    reassessment due or overdue. Drawn as an element of its own on the page it shifted the later elements, and the
    browser then reused it for the result page's first step box (a stray hidden label, tests/e2e/test_browser.py)."""
    here = session.lang()  # bound now: Streamlit may format the options outside this session's run
    chosen = box.radio(
        t("followup.show"),
        ["all", "due"],
        format_func=lambda code: text_in(f"followup.show_{code}", here),
        horizontal=True,
        key="cases.due_only",
        on_change=lambda: st.session_state.pop("cases.page", None),  # a new filter starts on its first page
    )
    return bool(chosen == "due")


def today() -> date:
    return date.today()


def answer_words(answer: Answer | None, lang: str) -> str:
    return text_in(f"answer.{answer.value}" if answer is not None else "answer.unasked", lang)


def comparison_lines(c: Comparison, checklist: Checklist, lang: str) -> list[str]:
    """What changed, one Markdown line each: level, score, critical items, then every changed answer."""
    lines = []
    level_key = {"raised": "followup.level_raised", "lowered": "followup.level_lowered", "same": "followup.level_same"}
    lines.append(
        text_in(
            level_key[c.level_change],
            lang,
            before=text_in(f"level.{c.level_before.value}", lang),
            after=text_in(f"level.{c.level_after.value}", lang),
        )
    )
    lines.append(
        text_in("followup.score", lang, before=c.score_before, after=c.score_after, change=f"{c.score_change:+d}")
    )
    items = checklist.items

    def question(item: str) -> str:
        return md_escape(items[item].text(lang)) if item in items else md_escape(item)

    for item in c.new_critical:
        lines.append(f":material/warning: {text_in('followup.new_critical', lang, item=question(item))}")
    for item in c.cleared_critical:
        lines.append(text_in("followup.cleared_critical", lang, item=question(item)))
    for change in c.items:
        lines.append(
            text_in(
                "followup.item_changed",
                lang,
                item=question(change.item),
                before=answer_words(change.before, lang),
                after=answer_words(change.after, lang),
            )
        )
    if not c.items:
        lines.append(text_in("followup.no_answer_changed", lang))
    return lines


def previous_comparison(store: Store, user: UserInfo, case_id: int, a: dict[str, Any]) -> Comparison | None:
    """The latest version of this assessment against the one before it, or None for a first version."""
    if (a.get("version") or 0) < 2:
        return None
    history = [
        h
        for h in store.assessment_history(user, case_id, a["checklist"], a["subject"], about=a.get("about"))
        if h["agency"] == a["agency"] and h["version"] is not None and h["result"]
    ]
    if len(history) < 2:
        return None
    prev, new = history[-2], history[-1]

    def saved(h: dict[str, Any]) -> SavedVersion:
        result = AssessmentResult.model_validate(h["result"]).model_copy(update={"level": RiskLevel(h["level"])})
        return SavedVersion(version=h["version"], answers=h["answers"], result=result)

    order = list(default_checklists()[a["checklist"]].items)
    return compare_assessments(saved(prev), saved(new), order)


def result_section(store: Store, user: UserInfo, case: dict[str, Any], result: Result, labels: dict[str, str]) -> None:
    """On the result page: per assessment the next reassessment and why that date, the form to choose another,
    and what changed since the previous version."""
    lang = session.lang()
    checklists = default_checklists()
    persons = {p["id"]: p for p in case["persons"]}
    results = {(r.checklist, r.subject, r.about, r.agency): r for r in result.assessments}
    rows = []
    for a in case["assessments"]:
        scored = results.get((a["checklist"], a["subject"], a.get("about"), a["agency"]))
        if scored is None:
            continue
        rows.append((a, scored, previous_comparison(store, user, case["id"], a)))
    if not rows:
        return
    changed = any(c is not None for _, _, c in rows)
    title = t("followup.title_changed") if changed else t("followup.title")
    box = st.expander(  # drawn when opened (its date forms are heavy to paint); open at once when something changed
        title, icon=":material/update:", expanded=changed, key=f"result.followup.{int(changed)}", on_change="rerun"
    )
    if not box.open:
        return
    with box:
        for n, (a, scored, comparison) in enumerate(rows):
            with st.container(border=True):
                person = md_escape(labels.get(a["subject"], a["subject"]))
                st.markdown(f"**{checklists[a['checklist']].title(lang)}** – {person}")
                reassessment(store, user, case, a, scored, persons.get(a["subject"]), n)
                if comparison is not None:
                    st.markdown(
                        f"**{t('followup.changed', before=comparison.before_version, after=comparison.after_version)}**"
                    )
                    st.markdown(
                        "\n".join(
                            f"- {line}" for line in comparison_lines(comparison, checklists[a["checklist"]], lang)
                        )
                    )


def reassessment(
    store: Store,
    user: UserInfo,
    case: dict[str, Any],
    a: dict[str, Any],
    scored: AssessmentResult,
    person: dict[str, Any] | None,
    n: int,
) -> None:
    lang = session.lang()
    day = today()
    if a.get("reassess_by"):
        st.markdown(due_markdown(a["reassess_by"], day, lang))
    saved_on = datetime.fromisoformat(a["saved_at"]).date()
    now = suggest_reassessment(
        scored,
        saved_on,
        subject_role=person["role"] if person else None,
        subject_age=person.get("age") if person else None,
    )
    st.caption(
        t("followup.suggested", date=now.date.isoformat(), days=now.days)
        + " "
        + " ".join(md_escape(r) for r in now.reasons(lang))
    )
    if a.get("reassess_reason"):
        st.caption(t("followup.later_because", reason=md_escape(a["reassess_reason"])))
    if a.get("reassess_by") and date.fromisoformat(a["reassess_by"]) > now.date and not a.get("reassess_reason"):
        st.warning(t("followup.later_than_now_suggested", date=now.date.isoformat()), icon=":material/warning:")
    if a["agency"] == user.agency and user.role in CASE_WORKERS:
        if st.button(t("followup.reassess_now"), key=f"followup.reassess.{n}", icon=":material/update:"):
            set_target(a["checklist"], a["subject"], a.get("about"))  # the form starts from this version's answers
            go("intake")
        choose_date(store, user, case["id"], a, now.date, n)


def choose_date(store: Store, user: UserInfo, case_id: int, a: dict[str, Any], suggested: date, n: int) -> None:
    """Another reassessment date: earlier freely, later with a written reason (kept and audited by the Store)."""
    with st.form(f"followup.date.{n}"):
        current = date.fromisoformat(a["reassess_by"]) if a.get("reassess_by") else suggested
        chosen = st.date_input(
            t("followup.choose_date"), value=max(current, today()), min_value=today(), format="YYYY-MM-DD"
        )
        reason = st.text_input(t("followup.reason"), key=f"followup.reason.{n}", help=t("followup.reason_help"))
        if not st.form_submit_button(t("followup.save_date")):
            return
    stored = date.fromisoformat(a["reassess_suggested"]) if a.get("reassess_suggested") else suggested
    problems = date_choice_problems(chosen, stored, reason, today()) if isinstance(chosen, date) else ["past"]
    if problems:
        for p in problems:
            st.error(t(f"followup.problem.{p}", date=stored.isoformat()))  # what was typed stays in the form
        return
    try:
        store.set_reassessment(user, case_id, a["checklist"], a["subject"], chosen, reason, about=a.get("about"))
    except (InputError, PermissionDenied, NotFound, ConflictError):
        st.error(t("followup.not_saved"))
        return
    flash(t("followup.date_saved", date=chosen.isoformat()))
    st.rerun()

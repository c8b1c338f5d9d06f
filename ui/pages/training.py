"""Training: work a synthetic practice case with the real form, then feedback point by point (issue 11).

The trainee asks each question and hears what the person says, records the answers on the real form components
(ui/form.py), sees the level the engine computes from them, decides on an override, the sharing route and the
steps, and gets feedback (risk/training.py). Nothing is stored as a case: the Store keeps the attempt under the
trainee and their unit. A supervisor is the unit's trainer: their view shows the unit's results by case and
assigns cases to it.

Query parameters (the needs analysis links here): `unit=<organisation key>` opens the trainer view on that unit;
`focus=<item id>,<item id>` lists first the cases covering those checklist items.
"""

from __future__ import annotations

from datetime import date, datetime

import streamlit as st

from risk.checklists import Checklist, default_checklists
from risk.engine import assess
from risk.errors import SamriskError
from risk.guidance import default_library
from risk.rules import default_rules
from risk.storage import PermissionDenied
from risk.storage.access import TRAINER_ROLES
from risk.storage.accounts import now_utc
from risk.storage.training import Attempt
from risk.training import (
    MAX_REASON_CHARS,
    NO_SHARING,
    Feedback,
    FeedbackPoint,
    PracticeCase,
    TraineeWork,
    default_training,
    results_by_case,
)
from risk.vocabulary import LEVEL_ORDER, Answer, RiskLevel
from ui import session
from ui.components import level_badge
from ui.form import ANSWERS, form_answers, form_prefix, form_sections, item_help, item_label, widget_key
from ui.i18n import t as translate
from ui.labels import answer_word, level_word, md_escape, organisation_word
from ui.problems import problem_texts
from ui.session import get_store, require_user, t

KEY = "training."
PRACTICE, RESULTS, TRAINER = "practice", "results", "trainer"


# --- words for data (pure: lang in, text out) ------------------------------------------------------------------------


def item_words(item_id: str, checklists: dict[str, Checklist], lang: str) -> str:
    for cl in checklists.values():
        item = cl.items.get(item_id)
        if item is not None:
            return item.text(lang)
    return item_id


def step_words(step_id: str, lang: str) -> str:
    rule = default_rules().steps.rule(step_id)
    return rule.action(lang) if rule is not None else step_id


def sharing_words(route: str | None, lang: str) -> str:
    if route is None:
        return translate("training.nothing", lang)
    if route == NO_SHARING:
        return translate("training.sharing_none", lang)
    p = default_rules().provisions.get(route)
    return f"{p.title(lang)} ({p.citation})" if p is not None else route


def source_words(src: str, checklists: dict[str, Checklist], lang: str) -> str:
    kind, _, ref = src.partition(":")
    if kind == "guidance":
        entry = default_library().entries.get(ref)
        return entry.title(lang) if entry is not None else ref
    if kind == "law":
        p = default_rules().provisions.get(ref)
        return p.citation if p is not None else ref
    if kind == "item":
        return item_words(ref, checklists, lang)
    if kind == "step":
        return step_words(ref, lang)
    return ref  # research notes: file and section, as written


def point_line(p: FeedbackPoint, checklists: dict[str, Checklist], lang: str) -> str:
    """One feedback point in words."""

    def answer(code: str | None) -> str:
        return answer_word(code, lang) if code else t("training.nothing")

    def level_range(text: str | None) -> tuple[str, str]:
        low, _, high = (text or "").partition("-")
        return level_word(low, lang), level_word(high, lang)

    item = item_words(p.item, checklists, lang) if p.item else ""
    match p.kind:
        case "critical_item":
            key = "critical_ok" if p.ok else "critical_missed"
            return t(f"training.fb.{key}", item=item, expected=answer(p.expected))
        case "answer":
            return t("training.fb.answer_wrong", item=item, given=answer(p.given), expected=answer(p.expected))
        case "not_needed":
            return t("training.fb.not_needed_ok" if p.ok else "training.fb.not_needed_asked", item=item)
        case "level":
            low, high = level_range(p.expected)
            key = "level_ok" if p.ok else "level_wrong"
            return t(f"training.fb.{key}", given=level_word(str(p.given), lang), low=low, high=high)
        case "override":
            given = level_word(p.given, lang) if p.given else t("training.no_override")
            if p.ok:
                return t("training.fb.override_ok")
            if p.expected:
                return t("training.fb.override_expected", expected=level_word(p.expected, lang), given=given)
            return t("training.fb.override_not_expected", given=given)
        case "sharing":
            expected = " / ".join(sharing_words(r, lang) for r in (p.expected or "").split(",") if r)
            key = "sharing_ok" if p.ok else "sharing_wrong"
            return t(f"training.fb.{key}", given=sharing_words(p.given, lang), expected=expected)
        case "step":
            return t("training.fb.step_ok" if p.ok else "training.fb.step_missed", step=step_words(str(p.step), lang))
    return p.kind


def render_feedback(fb: Feedback, checklists: dict[str, Checklist], lang: str) -> None:
    st.subheader(t("training.feedback"))
    st.markdown(f"**{t('training.score', score=fb.score)}**")
    st.markdown(
        t(
            "training.expected_level",
            low=level_word(fb.expected_min, lang),
            high=level_word(fb.expected_max, lang),
            given=level_word(fb.final_level, lang),
        )
    )
    for ok in (False, True):
        points = [p for p in fb.points if p.ok is ok]
        if not points:
            continue
        st.markdown(f"**{t('training.ok') if ok else t('training.missed')}**")
        for p in points:
            mark = "✔" if ok else "✘"
            lines = [f"{mark} **{t(f'training.kind.{p.kind}')}:** {md_escape(point_line(p, checklists, lang))}"]
            if p.why is not None:
                lines.append(t("training.why", text=md_escape(p.why(lang))))
            if p.sources:
                words = "; ".join(md_escape(source_words(s, checklists, lang)) for s in p.sources)
                lines.append(t("training.sources", text=words))
            (st.success if ok else st.warning)("\n\n".join(lines))


# --- the page --------------------------------------------------------------------------------------------------------


def page() -> None:
    user = require_user()
    lang = session.lang()
    st.title(t("training.title"))
    st.caption(t("training.intro"))
    views = [PRACTICE, RESULTS] + ([TRAINER] if user.role in TRAINER_ROLES else [])
    wants_trainer = TRAINER in views and ("unit" in st.query_params or "focus" in st.query_params)
    if KEY + "view" not in st.session_state:
        st.session_state[KEY + "view"] = TRAINER if wants_trainer else PRACTICE
    view = st.segmented_control(
        t("training.view"), views, format_func=lambda v: translate(f"training.view_{v}", lang), key=KEY + "view"
    )
    if view == RESULTS:
        _results(lang)
    elif view == TRAINER:
        _trainer(lang)
    else:
        _practice(lang)


def _case_options(lang: str) -> tuple[list[str], dict[str, str]]:
    """Case ids, the ones assigned to the user's unit first, and the mark of each assigned one."""
    library = default_training().cases
    marks: dict[str, str] = {}
    try:
        for a in get_store().training_assignments(require_user()):
            if a.case_id in library:
                marks[a.case_id] = (
                    t("training.assigned_due", due=a.due.isoformat()) if a.due else t("training.assigned_mark")
                )
    except PermissionDenied:
        marks = {}
    ids = [c for c in library if c in marks] + [c for c in library if c not in marks]
    return ids, marks


def _practice(lang: str) -> None:
    library = default_training().cases
    checklists = default_checklists()
    ids, marks = _case_options(lang)

    def label(case_id: str) -> str:
        c = library[case_id]
        mark = f" — {marks[case_id]}" if case_id in marks else ""
        return f"{c.title(lang)} ({translate(f'context.{c.context.value}', lang)}){mark}"

    case_id = st.selectbox(t("training.choose_case"), ids, format_func=label, key=KEY + "case")
    if case_id is None:
        return
    case = library[case_id]
    done = st.session_state.get(f"{KEY}done.{case_id}")
    st.caption(case.label(lang))
    st.markdown(t("training.context", context=t(f"context.{case.context.value}")))
    st.subheader(t("training.story"))
    st.markdown(md_escape(case.story(lang)))
    st.markdown(f"**{t('training.persons')}:** " + ", ".join(_person(p.id, p.role.value, p.age) for p in case.persons))
    if done is not None:
        fb = Feedback.model_validate(done)
        st.success(t("training.saved", score=fb.score))
        render_feedback(fb, checklists, lang)
        if st.button(t("training.again"), key=f"{KEY}again.{case_id}"):
            _reset(case_id)
            st.rerun()
        return
    st.session_state.setdefault(f"{KEY}started.{case_id}", now_utc().isoformat())
    answers = _questions(case, checklists, lang)
    _decide(case, answers, checklists, lang)


def _person(pid: str, role: str, age: int | None) -> str:
    if age is None:
        return t("person.label", id=md_escape(pid), role=t(f"role.{role}"))
    return t("person.label_age", id=md_escape(pid), role=t(f"role.{role}"), age=age)


def _asked(case_id: str) -> list[str]:
    key = f"{KEY}asked.{case_id}"
    if key not in st.session_state:
        st.session_state[key] = []
    asked: list[str] = st.session_state[key]
    return asked


def _questions(case: PracticeCase, checklists: dict[str, Checklist], lang: str) -> dict[str, str]:
    cl = checklists[case.assessment.checklist]
    prefix = form_prefix(f"training.{case.id}", lang)
    asked = _asked(case.id)
    st.subheader(t("training.questions"))
    st.caption(t("training.questions_help"))
    in_form = set(cl.form_items(case.context))
    kept = f"{KEY}answers.{case.id}"  # the answers as codes: a language switch draws new radios seeded from them
    seeds: dict[str, str] = st.session_state.get(kept, {})
    for section in form_sections(cl, case.context):
        st.markdown(f"**{md_escape(section.title(lang))}**")
        for item in section.items:
            if item.id not in in_form:
                continue
            if item.id in asked:
                st.info(t("training.says", text=md_escape(case.response(item.id).says(lang))))
            elif st.button(f"{t('training.ask')}: {item.text(lang)}", key=f"{KEY}ask.{case.id}.{item.id}"):
                asked.append(item.id)
                st.rerun()
            st.radio(
                item_label(item, lang),
                ANSWERS,
                index=ANSWERS.index(seeds[item.id]) if seeds.get(item.id) in ANSWERS else None,
                format_func=lambda a: answer_word(a, lang),
                key=widget_key(prefix, item.id),
                help=item_help(item, lang),
                horizontal=True,
            )
    answers = form_answers(st.session_state, cl, case.context, seeds, prefix)
    st.session_state[kept] = answers
    return answers


def _decide(case: PracticeCase, answers: dict[str, str], checklists: dict[str, Checklist], lang: str) -> None:
    st.subheader(t("training.decide"))
    typed = {k: Answer(v) for k, v in answers.items()}
    result = assess(case.engine_case(typed), lang)
    computed = result.assessments[0].computed_level
    level_badge(st, computed, lang, label=t("training.computed", level=level_word(computed, lang)))
    k = f"{KEY}{case.id}."
    override = st.checkbox(t("training.override"), key=k + "override")
    level: RiskLevel | None = None
    reason = ""
    if override:
        level = st.selectbox(
            t("training.override_level"),
            LEVEL_ORDER,
            index=computed.rank,
            format_func=lambda lv: level_word(lv, lang),
            key=k + "level",
        )
        reason = st.text_area(t("training.override_reason"), key=k + "reason", max_chars=MAX_REASON_CHARS)
    routes = [NO_SHARING, *default_rules().provisions]
    sharing = st.selectbox(
        t("training.sharing"),
        routes,
        index=None,
        format_func=lambda r: sharing_words(r, lang),
        help=t("training.sharing_help"),
        key=k + "sharing",
        placeholder=t("training.nothing"),
    )
    steps = st.multiselect(
        t("training.steps"),
        [s.id for s in default_rules().steps.steps],
        format_func=lambda s: step_words(s, lang),
        help=t("training.steps_help"),
        key=k + "steps",
        placeholder=t("training.nothing"),
    )
    if not st.button(t("training.finish"), type="primary", key=k + "finish"):
        return
    problems = []
    if sharing is None:
        problems.append(t("training.need_sharing"))
    if override and not reason.strip():
        problems.append(t("training.need_reason"))
    if problems:
        for p in problems:
            st.error(p)
        return
    work = TraineeWork(
        asked=list(_asked(case.id)),
        answers=typed,
        override_level=level if override else None,
        override_reason=reason.strip() if override else None,
        sharing=sharing,
        steps=list(steps),
    )
    started = datetime.fromisoformat(st.session_state[f"{KEY}started.{case.id}"])
    try:
        attempt = get_store().save_training_attempt(require_user(), case.id, work, started)
    except (SamriskError, PermissionDenied) as e:
        st.error(t("training.error", text=md_escape(str(e))))
        return
    st.session_state[f"{KEY}done.{case.id}"] = attempt.feedback.model_dump(mode="json")
    st.rerun()


def _reset(case_id: str) -> None:
    for key in list(st.session_state):
        if isinstance(key, str) and (
            key.startswith(f"{KEY}{case_id}.")
            or key
            in (f"{KEY}done.{case_id}", f"{KEY}asked.{case_id}", f"{KEY}started.{case_id}", f"{KEY}answers.{case_id}")
            or key.startswith(f"form.sv.training.{case_id}.")
            or key.startswith(f"form.en.training.{case_id}.")
        ):
            del st.session_state[key]


def _case_title(case_id: str, lang: str) -> str:
    c = default_training().cases.get(case_id)
    return c.title(lang) if c is not None else case_id


def _results(lang: str) -> None:
    attempts = get_store().training_attempts(require_user())
    if not attempts:
        st.info(t("training.results_none"))
        return
    checklists = default_checklists()
    for a in attempts:
        row = t(
            "training.results_row",
            when=a.finished_at.strftime("%Y-%m-%d %H:%M"),
            case=_case_title(a.case_id, lang),
            score=a.score,
        )
        with st.expander(row):
            render_feedback(a.feedback, checklists, lang)


def _focus_items(checklists: dict[str, Checklist]) -> tuple[list[str], list[str]]:
    raw = [v.strip() for value in st.query_params.get_all("focus") for v in value.split(",") if v.strip()]
    known = {i for cl in checklists.values() for i in cl.items}
    return [i for i in raw if i in known], [i for i in raw if i not in known]


def _trainer(lang: str) -> None:
    user = require_user()
    store = get_store()
    checklists = default_checklists()
    library = default_training()
    units = store.training_units(user)
    wanted = st.query_params.get("unit")
    if wanted and wanted not in units:
        st.warning(t("training.unit_not_yours", unit=md_escape(wanted)))
    if not units:
        return
    default = units.index(wanted) if wanted in units else (units.index(user.agency) if user.agency in units else 0)
    names = {o["key"]: str(o["name"]) for o in store.list_organisations()}

    def unit_words(key: str) -> str:  # a unit by its name, an agency's own organisation in words: never a code
        return organisation_word(key, lang) if names.get(key, key) == key else names[key]

    unit = st.selectbox(t("training.trainer_unit"), units, index=default, key=KEY + "unit", format_func=unit_words)
    if unit is None:
        return
    focus, unknown = _focus_items(checklists)
    if unknown:
        st.warning(t("training.trainer_unknown_focus", items=md_escape(", ".join(unknown))))
    ordered = library.covering(focus) if focus else list(library.cases.values())
    if focus:
        st.info(t("training.trainer_focus", items=md_escape("; ".join(item_words(i, checklists, lang) for i in focus))))
    hits = {c.id: c.covers(focus) for c in ordered}

    def label(case_id: str) -> str:
        title = f"{_case_title(case_id, lang)} ({translate(f'context.{library.cases[case_id].context.value}', lang)})"
        return translate("training.trainer_covers", lang, case=title, n=hits[case_id]) if focus else title

    chosen = st.multiselect(
        t("training.trainer_assign"),
        [c.id for c in ordered],
        default=[c for c in hits if hits[c] > 0][:5] if focus else [],
        format_func=label,
        key=KEY + "assign",
        placeholder=t("training.nothing"),
    )
    due = st.date_input(t("training.trainer_due"), value=None, min_value=date.today(), key=KEY + "due")
    if st.button(t("training.trainer_assign_button"), key=KEY + "assign_button", disabled=not chosen):
        try:
            added = store.assign_training(user, unit, list(chosen), due=due if isinstance(due, date) else None)
            st.success(t("training.trainer_assigned", n=len(added) or len(chosen)))
        except (SamriskError, PermissionDenied) as e:
            for text in problem_texts(e, session.lang()):
                st.error(t("training.error", text=text))
    try:
        assignments = store.training_assignments(user, unit=unit)
        attempts = store.training_attempts(user, unit=unit)
    except PermissionDenied as e:
        for text in problem_texts(e, session.lang()):
            st.error(t("training.error", text=text))
        return
    if assignments:
        st.subheader(t("training.trainer_assignments"))
        st.markdown(
            "\n".join(
                "- "
                + t(
                    "training.trainer_assignment_row",
                    case=md_escape(_case_title(a.case_id, lang)),
                    by=md_escape(a.assigned_by),
                    due=t("training.trainer_due_suffix", due=a.due.isoformat()) if a.due else "",
                )
                for a in assignments
            )
        )
    st.subheader(t("training.trainer_results"))
    if not attempts:
        st.info(t("training.trainer_none"))
        return
    st.markdown("\n".join("- " + line for line in _by_case(attempts, checklists, lang)))
    st.markdown(
        "\n".join(
            "- "
            + t(
                "training.trainer_person_row",
                who=md_escape(a.username),
                case=md_escape(_case_title(a.case_id, lang)),
                score=a.score,
                when=a.finished_at.strftime("%Y-%m-%d"),
            )
            for a in attempts
        )
    )


def _by_case(attempts: list[Attempt], checklists: dict[str, Checklist], lang: str) -> list[str]:
    lines = []
    for r in results_by_case([a.feedback for a in attempts]):
        line = t(
            "training.trainer_results_row",
            case=md_escape(_case_title(r.case_id, lang)),
            n=r.attempts,
            median=round(r.median),
            low=r.lowest,
        )
        if r.most_missed:
            missed = "; ".join(
                f"{t(f'training.kind.{kind}')}: {md_escape(_ref_words(kind, ref, checklists, lang))} ({n})"
                for kind, ref, n in r.most_missed
            )
            line += " " + t("training.trainer_missed", items=missed)
        lines.append(line)
    return lines


def _ref_words(kind: str, ref: str, checklists: dict[str, Checklist], lang: str) -> str:
    if kind == "step":
        return step_words(ref, lang)
    if ref:
        return item_words(ref, checklists, lang)
    return t(f"training.kind.{kind}")

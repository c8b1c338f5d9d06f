"""The checklist form and the live panel beside it.

`render_checklist_form` asks the items of the context's form, section by section, with no answer preselected: an
item stays 'not asked' until someone answers it, and 'vet ej' is an answer of its own, never a no. `live_panel`
shows the level so far and what is still unanswered, from a result the page computes with the engine.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any, Protocol

from streamlit import session_state

from risk.checklists import Checklist, Item, Section
from risk.models import AssessmentResult
from risk.vocabulary import Context
from ui.components import CRITICAL_MARK, StTarget, guidance_help, level_badge_html
from ui.i18n import t
from ui.labels import answer_word, level_word, md_escape, shorten

ANSWERS: tuple[str, ...] = ("yes", "no", "unknown")


def widget_key(key_prefix: str, item_id: str) -> str:
    """The session-state key of an item's radio: `{key_prefix}.{item_id}`."""
    return f"{key_prefix}.{item_id}"


def form_prefix(key: str, lang: str) -> str:
    """The key prefix of a form's radios, one set per language.

    Streamlit's browser side keeps a radio's value as the option's *label* ("ja") and sends that label back; after
    a language switch the server no longer finds "ja" among "yes/no/don't know" and resets the answer (or keeps the
    word). With the language in the key a switch draws new radios, seeded from the answers kept as codes.
    """
    return f"form.{lang}.{key}"


def item_help(item: Item, lang: str) -> str:
    return (
        f"**{t('form.how_to_ask', lang)}:** {md_escape(item.help.how_to_ask(lang))}\n\n"
        f"**{t('form.what_counts', lang)}:** {md_escape(item.help.what_counts(lang))}\n\n"
        + guidance_help(item.help.guidance, lang)
    ).strip()


def item_label(item: Item, lang: str) -> str:
    """The question as its radio's label. No Markdown markup around the mark: the label is also the radio group's
    accessible name, which screen readers read literally ("asterisk asterisk"; docs/accessibility.md)."""
    text = md_escape(item.text(lang))
    return f"{CRITICAL_MARK} {t('form.critical', lang)}: {text}" if item.critical else text


def form_sections(checklist: Checklist, context: Context | str) -> list[Section]:
    """The sections of the checklist that ask something in this context's form, in order."""
    in_form = set(checklist.form_items(Context(context)))
    return [s for s in checklist.sections if any(i.id in in_form for i in s.items)]


def render_section(
    st: StTarget,
    checklist: Checklist,
    section: Section,
    context: Context | str,
    answers: Mapping[str, str],
    lang: str,
    key_prefix: str,
    title: bool = True,
) -> None:
    """One section of the form: its title (unless `title` is False: the section's own heading says it) and a radio
    per item asked in this context. `answers` seeds the radios the first time they are drawn; after that the
    widget state (key `{key_prefix}.{item_id}`) rules."""
    in_form = set(checklist.form_items(Context(context)))

    def word(answer: str) -> str:
        return answer_word(answer, lang)

    if title:
        st.subheader(section.title(lang))
    for item in section.items:
        if item.id not in in_form:
            continue
        current = answers.get(item.id)
        st.radio(
            item_label(item, lang),
            ANSWERS,
            index=ANSWERS.index(str(current)) if current is not None and str(current) in ANSWERS else None,
            format_func=word,
            key=widget_key(key_prefix, item.id),
            help=item_help(item, lang),
            horizontal=True,
        )


class WidgetState(Protocol):
    """What form_answers reads of Streamlit's session state (or of a plain dict in tests)."""

    def __contains__(self, key: str) -> bool: ...
    def __getitem__(self, key: str) -> Any: ...


def form_answers(
    state: WidgetState, checklist: Checklist, context: Context | str, answers: Mapping[str, str], key_prefix: str
) -> dict[str, str]:
    """The answers as they stand: each form item's widget value (its seed until the widget is drawn), plus every
    answer in `answers` for items outside this form (a full-form answer is never dropped by a short-form page).
    Only codes (yes/no/unknown) come out: a widget value that is anything else keeps the answer in `answers`."""
    form_ids = checklist.form_items(Context(context))
    out: dict[str, str] = {k: str(v) for k, v in answers.items() if k not in set(form_ids)}
    for item_id in form_ids:
        key = widget_key(key_prefix, item_id)
        value = state[key] if key in state else answers.get(item_id)
        if value not in ANSWERS:
            value = answers.get(item_id)
        if value is not None:
            out[item_id] = str(value)
    return out


def render_checklist_form(
    st: StTarget,
    checklist: Checklist,
    context: Context | str,
    answers: Mapping[str, str],
    lang: str,
    key_prefix: str,
) -> dict[str, str]:
    """Ask the form's items, section by section; return the answers (see `form_answers`)."""
    for section in form_sections(checklist, context):
        render_section(st, checklist, section, context, answers, lang, key_prefix)
    in_form = set(checklist.form_items(Context(context)))
    kept = {k: str(v) for k, v in answers.items() if k not in in_form}
    if kept:
        st.caption(t("form.other_answers_kept", lang, n=len(kept)))
    return form_answers(session_state, checklist, context, answers, key_prefix)


def live_panel(st: StTarget, result: AssessmentResult, checklist: Checklist, lang: str) -> None:
    """The level so far and the form's still-unanswered items (count and questions), e.g. for st.sidebar.

    Few elements, since every answer redraws it: the level with the lines about it in one block, the progress, a
    warning only while a critical question is not known, and the unanswered questions in a section of their own."""
    unasked = result.unasked_items
    lines = []
    if result.level_max.rank > result.computed_level.rank:
        lines.append(t("result.level_max", lang, level=level_word(result.level_max, lang)))
    lines.append(t("result.score", lang, score=result.score, score_max=result.score_max))
    if result.unknown_items:
        lines.append(t("intake.unknown", lang, n=len(result.unknown_items)))
    if not unasked:
        lines.append(t("intake.all_answered", lang))
    if unasked or result.unknown_items:
        lines.append(t("intake.lower_bound", lang))
    st.markdown(
        level_badge_html(result.level, lang, label=t("intake.level_so_far", lang))
        + "".join(f'<p style="font-size:0.875rem;margin:0 0 0.25rem 0">{html.escape(line)}</p>' for line in lines),
        unsafe_allow_html=True,
    )
    st.progress(
        min(max(result.completeness, 0.0), 1.0),
        text=t("result.completeness", lang, pct=round(result.completeness * 100)),
    )
    if result.critical_not_known:
        st.warning(t("intake.critical_open", lang, n=len(result.critical_not_known)), icon=":material/warning:")
    if unasked:
        box = st.expander(t("intake.unanswered", lang, n=len(unasked)), expanded=len(unasked) <= 5)
        lines = []
        for item_id in unasked:
            item = checklist.items.get(item_id)
            if item is None:
                lines.append(f"- {md_escape(item_id)}")
                continue
            mark = f"{CRITICAL_MARK} " if item.critical else ""
            lines.append(f"- {mark}{md_escape(shorten(item.text(lang), 70))}")
        box.markdown("\n".join(lines))

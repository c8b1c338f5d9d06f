"""Streamlit building blocks for showing a result of the engine.

Each function takes plain data (the engine's pydantic models, a Checklist) and a Streamlit target `st`: the
`streamlit` module itself, `st.sidebar`, a column or a container. None of them reads storage or caches case data.
Texts come from locales/*.yaml (`ui.i18n.t`) or from the checklist YAML; the result should be computed in the
same language as the page (`assess(case, lang=lang)`), since reasons, flag titles and step actions come from it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TypeAlias

import plotly.graph_objects as go
from streamlit.delta_generator import DeltaGenerator

from risk.checklists import Checklist
from risk.guidance import guidance_for_step
from risk.models import AssessmentResult, Flag, RequiredChecklist, Step
from risk.vocabulary import RiskLevel
from ui.i18n import FRONTEND_HELP as FRONTEND_HELP
from ui.i18n import FRONTEND_NAMES as FRONTEND_NAMES
from ui.i18n import cap, t
from ui.i18n import document_language as document_language  # defined there: app.py draws it without plotly
from ui.labels import (
    LEVEL_COLOURS,
    LEVEL_ICONS,
    URGENCY_ORDER,
    Catalog,
    answer_word,
    cap_agency,
    checklist_name,
    consent_word,
    describe,
    level_word,
    md_escape,
    reasons_of,
    shorten,
    urgency_name,
)

StTarget: TypeAlias = DeltaGenerator | ModuleType  # the streamlit module, st.sidebar, a column, a container

CRITICAL_MARK = "▲"
INSUFFICIENT = "insufficient_information"
BELOW_FLOOR = "override_below_floor"
FOLLOW_UP_SHOWN = 8  # follow-up questions listed before the rest fold into an expander
URGENCY_ICONS = {
    "immediate": ":material/e911_emergency:",
    "same_day": ":material/today:",
    "within_week": ":material/date_range:",
    "planned": ":material/event:",
}
CONSENT_ICONS = {
    "not_required": ":material/gavel:",
    "required": ":material/pending_actions:",
    "given": ":material/check_circle:",
}


def _catalog(catalog: Catalog | None) -> Catalog:
    return catalog if catalog is not None else Catalog.default()


# ---- level and notice -------------------------------------------------------------------------------------------


def level_badge_html(level: RiskLevel | str, lang: str, label: str | None = None, small: bool = False) -> str:
    """The level as a word, a 4-step shape meter (▲▲▲△) and '3 of 4': never colour alone."""
    lv = RiskLevel(level)
    word = cap(level_word(lv, lang))
    scale = t("level.scale", lang, rank=lv.rank + 1)
    label = label if label is not None else t("level.label", lang)
    colour = LEVEL_COLOURS[lv.value]
    big, icon = ("1.05rem", "1rem") if small else ("1.45rem", "1.3rem")
    return (
        f'<div class="samrisk-level samrisk-level-{lv.value}" role="group" '
        f'aria-label="{html.escape(label)}: {html.escape(word)} ({html.escape(scale)})" '
        f'style="display:inline-block;border:2px solid {colour};border-left:12px solid {colour};'
        f'border-radius:6px;padding:4px 14px;margin:2px 0 8px 0">'
        f'<div style="font-size:0.8rem;opacity:0.8">{html.escape(label)}</div>'
        f'<span aria-hidden="true" style="color:{colour};font-size:{icon};letter-spacing:2px">'
        f"{LEVEL_ICONS[lv.value]}</span> "
        f'<strong style="font-size:{big}">{html.escape(word)}</strong> '
        f'<span style="font-size:0.8rem;opacity:0.8;white-space:nowrap">({html.escape(scale)})</span></div>'
    )


# Streamlit's Markdown colours nearest to LEVEL_COLOURS: a level line drawn without HTML (level_markdown)
LEVEL_MARKDOWN_COLOURS: dict[str, str] = {"low": "blue", "moderate": "orange", "high": "red", "severe": "violet"}


def level_markdown(level: RiskLevel | str, lang: str) -> str:
    """The level as one line of plain Markdown: the shape meter (▲▲▲△) in the level's colour, 'Risknivå', the
    word and '3 of 4' — never colour alone. For lists of many levels (the case list): the browser draws Markdown
    without HTML markedly quicker than level_badge_html's HTML box, which it parses element by element."""
    lv = RiskLevel(level)
    word = level_word(lv, lang)
    scale = t("level.scale", lang, rank=lv.rank + 1)
    return f":{LEVEL_MARKDOWN_COLOURS[lv.value]}[{LEVEL_ICONS[lv.value]}] {t('level.label', lang)} **{word}** ({scale})"


def level_badge(
    st: StTarget, level: RiskLevel | str, lang: str, *, label: str | None = None, small: bool = False
) -> None:
    """Show a level: word, shape meter and 'n of 4', with a screen-reader label. `label` defaults to 'Risknivå'."""
    st.markdown(level_badge_html(level, lang, label, small), unsafe_allow_html=True)


def notice(st: StTarget, lang: str) -> None:
    """The decision-support notice; show it wherever a result is shown."""
    st.info(t("notice", lang), icon=":material/info:")


# ---- contribution chart -------------------------------------------------------------------------------------------


def _unique_labels(labels: list[str], ids: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for label, item_id in zip(labels, ids, strict=True):
        out.append(label if label not in seen else f"{label} ({item_id})")
        seen.add(out[-1])
    return out


def open_items(result: AssessmentResult) -> list[str]:
    """Items to follow up: critical ones without an answer first, then the other unknown, then the unasked."""
    out = list(result.critical_not_known)
    for item in [*result.unknown_items, *result.unasked_items]:
        if item not in out:
            out.append(item)
    return out


def contribution_chart(
    result: AssessmentResult, checklist: Checklist, lang: str, max_open: int | None = 8
) -> go.Figure:
    """Horizontal bars: the points of each yes item (critical ones first, marked ▲ and cross-hatched), then the
    unknown and unasked items as hatched outlines: the points they could still add. Title: score … score_max.
    Beyond `max_open` open items, the non-critical rest share one bar ('N more questions').

    Traces carry `meta={"kind": "yes" | "uncertain", "critical": bool}` and the item ids as `customdata`
    (the shared bar: the ids joined by commas)."""
    yes = sorted(result.contributions, key=lambda c: (not c.critical, -c.points))
    every_open = [i for i in open_items(result) if i in checklist.items and checklist.items[i].points > 0]
    every_open.sort(key=lambda i: (not checklist.items[i].critical, -checklist.items[i].points))
    extra = sum(checklist.items[i].points for i in every_open)
    cut = len(every_open) if max_open is None or len(every_open) <= max_open else max(max_open - 1, 0)
    cut = max(cut, sum(checklist.items[i].critical for i in every_open))  # critical open items keep their own bar
    open_, rest = every_open[:cut], every_open[cut:]

    def label(item_id: str) -> str:
        item = checklist.items[item_id]
        text = shorten(item.text(lang), 60)
        return f"{CRITICAL_MARK} {text}" if item.critical else text

    ids = [c.item for c in yes] + open_
    labels = dict(zip(ids, _unique_labels([label(i) for i in ids], ids), strict=True))
    fig = go.Figure()
    for critical in (True, False):
        group = [c for c in yes if c.critical is critical]
        if not group:
            continue
        colour = LEVEL_COLOURS["high"] if critical else "#1f5fa8"
        fig.add_trace(
            go.Bar(
                orientation="h",
                x=[c.points for c in group],
                y=[labels[c.item] for c in group],
                customdata=[c.item for c in group],
                hovertext=[
                    f"{checklist.items[c.item].text(lang)}<br>{t('chart.points', lang, points=c.points)}" for c in group
                ],
                hoverinfo="text",
                text=[f"+{c.points}" for c in group],
                textposition="outside",
                name=t("chart.critical" if critical else "chart.yes", lang),
                meta={"kind": "yes", "critical": critical},
                marker={
                    "color": colour,
                    "line": {"color": colour, "width": 1},
                    "pattern": {
                        "shape": "x" if critical else "",
                        "fgcolor": "white",
                        "size": 7,
                        "solidity": 0.15,
                        "fillmode": "overlay",
                    },
                },
            )
        )
    if every_open:
        x = [checklist.items[i].points for i in open_]
        y = [labels[i] for i in open_]
        hover = [
            f"{checklist.items[i].text(lang)}<br>"
            f"{answer_word('unknown' if i in result.unknown_items else None, lang)}: "
            f"{t('chart.points_possible', lang, points=checklist.items[i].points)}"
            for i in open_
        ]
        custom = list(open_)
        if rest:
            points = sum(checklist.items[i].points for i in rest)
            x.append(points)
            y.append(t("chart.more", lang, n=len(rest)))
            hover.append(
                "<br>".join(shorten(checklist.items[i].text(lang), 70) for i in rest)
                + f"<br>{t('chart.points_possible', lang, points=points)}"
            )
            custom.append(",".join(rest))
        fig.add_trace(
            go.Bar(
                orientation="h",
                x=x,
                y=y,
                customdata=custom,
                hovertext=hover,
                hoverinfo="text",
                text=[f"+{v}?" for v in x],
                textposition="outside",
                name=t("chart.uncertain", lang),
                meta={"kind": "uncertain", "critical": False},
                marker={
                    "color": "rgba(0,0,0,0)",
                    "line": {"color": "#7a7a7a", "width": 1.5},
                    "pattern": {"shape": "/", "fgcolor": "#9a9a9a", "size": 8, "solidity": 0.3},
                },
            )
        )
    rows = max(len(ids) + (1 if rest else 0), 1)
    longest = max([*(bar for trace in fig.data for bar in trace.x), 4])
    fig.update_layout(
        title={
            "text": t("chart.title", lang, score=result.score, score_max=result.score_max),
            "subtitle": {
                "text": t("chart.subtitle", lang, extra=extra) if every_open else t("chart.subtitle_none", lang)
            },
        },
        barmode="overlay",
        height=200 + 34 * rows,
        margin={"l": 10, "r": 30, "t": 80, "b": 110},
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "x": 0},
        xaxis={"title": {"text": t("chart.points_axis", lang)}, "dtick": 1, "range": [0, longest + 1.5]},
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=True,
    )
    if not ids and not rest:
        fig.add_annotation(text=t("chart.empty", lang), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


def chart_alt(result: AssessmentResult, checklist: Checklist, lang: str) -> str:
    open_ = [i for i in open_items(result) if i in checklist.items]
    extra = sum(checklist.items[i].points for i in open_)
    return t("chart.alt", lang, n_yes=len(result.contributions), score=result.score, n_open=len(open_), extra=extra)


# ---- one assessment -----------------------------------------------------------------------------------------------


def _item_line(item_id: str, checklist: Checklist, lang: str, suffix: str = "") -> str:
    item = checklist.items.get(item_id)
    if item is None:
        return f"- {md_escape(item_id)}{suffix}"
    mark = f"**{CRITICAL_MARK} {cap(t('result.critical_marker', lang))}** · " if item.critical else ""
    return f"- {mark}{md_escape(item.text(lang))}{suffix}"


def render_assessment_result(
    st: StTarget,
    result: AssessmentResult,
    checklist: Checklist,
    lang: str,
    *,
    catalog: Catalog | None = None,
    key_prefix: str = "result",
    show_chart: bool = True,
) -> None:
    """One assessment: level (and the computed level with the reason if a professional changed it), how high it
    could be, score and completeness, why (critical items, level reasons, chart), and what to follow up."""
    if result.checklist != checklist.id:
        raise ValueError(f"result of {result.checklist} shown with checklist {checklist.id}")
    cat = _catalog(catalog)
    st.markdown(f"### {md_escape(checklist.title(lang))}")
    facts = [f"{t('result.subject', lang)}: {md_escape(cat.person(result.subject))}"]
    if result.about:
        facts.append(f"{t('result.about', lang)}: {md_escape(cat.person(result.about))}")
    form = next((f.title(lang) for f in checklist.forms if f.id == result.form), result.form)
    facts.append(f"{t('result.form', lang)}: {md_escape(form)}")
    st.caption(" · ".join(facts))

    if is_overridden(result):
        level_badge(st, result.level, lang, label=t("result.final_level", lang))
        level_badge(st, result.computed_level, lang, label=t("result.computed_level", lang), small=True)
        if result.below_floor and result.floor_level is not None:
            level_badge(st, result.floor_level, lang, label=t("result.floor_level", lang), small=True)
        st.markdown(f"**{t('result.override_reason', lang)}:** {md_escape(result.override_reason or '')}")
    else:
        level_badge(st, result.level, lang)
    if result.below_floor and result.floor_level is not None:
        st.warning(
            t(
                "result.below_floor",
                lang,
                level=level_word(result.level, lang),
                floor=level_word(result.floor_level, lang),
            ),
            icon=":material/rate_review:",
        )
    if result.level_max.rank > result.computed_level.rank:  # the range of the computed level, not the override
        st.markdown(f":material/trending_up: {t('result.level_max', lang, level=level_word(result.level_max, lang))}")
    st.markdown(t("result.score", lang, score=result.score, score_max=result.score_max))
    pct = round(result.completeness * 100)
    st.progress(min(max(result.completeness, 0.0), 1.0), text=t("result.completeness", lang, pct=pct))

    st.markdown(f"#### {t('result.why', lang)}")
    if result.critical_items:
        st.markdown(f"**{t('result.critical_items', lang)}**")
        st.markdown("\n".join(_item_line(i, checklist, lang) for i in result.critical_items))
    if result.level_reasons:
        st.markdown(f"**{t('result.level_reasons', lang)}**")
        lines = []
        for r in result.level_reasons:
            line = f"- {LEVEL_ICONS[r.level.value]} **{level_word(r.level, lang)}**: {md_escape(r.why)}"
            if r.rule.startswith("rule:") and r.reasons:  # a level rule: which of the facts made it hold
                line += " — " + md_escape("; ".join(describe(x, lang, cat, width=60) for x in r.reasons))
            lines.append(line)
        st.markdown("\n".join(lines))
    if show_chart:
        st.plotly_chart(
            contribution_chart(result, checklist, lang),
            key=f"{key_prefix}:chart:{result.checklist}:{result.subject}",
            config={"displayModeBar": False},
            alt=chart_alt(result, checklist, lang),
        )

    follow = open_items(result)
    st.markdown(f"#### {t('result.follow_up', lang)}")
    if not follow:
        st.markdown(t("result.follow_up_none", lang))
        return
    st.markdown(t("result.follow_up_intro", lang, n=len(follow)))
    lines = []
    for item_id in follow:
        answer = "unknown" if item_id in result.unknown_items else None
        lines.append(_item_line(item_id, checklist, lang, f" — *{answer_word(answer, lang)}*"))
    shown = max(FOLLOW_UP_SHOWN, len(result.critical_not_known))  # critical ones are never folded away
    st.markdown("\n".join(lines[:shown]))
    if lines[shown:]:
        more = st.expander(t("result.follow_up_more", lang, n=len(lines) - shown))
        more.markdown("\n".join(lines[shown:]))


# ---- flags, required checklists, steps ------------------------------------------------------------------------------


def render_flags(st: StTarget, flags: Sequence[Flag], lang: str, *, catalog: Catalog | None = None) -> None:
    """Findings across assessments: a level set below its floor, then insufficient information, first and as
    warnings; each with title, effect and its reasons in words (item questions, persons, assessments, levels)."""
    if not flags:
        return
    cat = _catalog(catalog)
    st.subheader(t("flags.title", lang))
    for flag in sorted(flags, key=lambda f: (f.id != BELOW_FLOOR, f.id != INSUFFICIENT)):
        body = [f"**{md_escape(flag.title)}**", md_escape(flag.effect)]
        if flag.raises_overall_to is not None:
            body.append(f"**{t('flags.raises', lang, level=level_word(flag.raises_overall_to, lang))}**")
        reasons = [describe(r, lang, cat) for r in reasons_of(flag.because, flag.reasons)]
        if reasons:
            body.append(f"*{t('flags.because', lang)}:*\n" + "\n".join(f"- {md_escape(r)}" for r in reasons))
        text = "\n\n".join(body)
        if flag.id in (INSUFFICIENT, BELOW_FLOOR):
            st.warning(text, icon=":material/warning:")
        elif flag.raises_overall_to is not None:
            st.error(text, icon=":material/priority_high:")
        else:
            st.info(text, icon=":material/flag:")


def render_required_checklists(
    st: StTarget,
    required: Sequence[RequiredChecklist],
    lang: str,
    on_start: Callable[[str, str], object] | None = None,
    *,
    catalog: Catalog | None = None,
    key_prefix: str = "required",
) -> None:
    """Each checklist the case still needs, with a Start button calling `on_start(checklist_id, subject_id)`
    during the script run (so it may call st.switch_page or st.rerun). Without `on_start` the buttons are disabled."""
    if not required:
        return
    cat = _catalog(catalog)
    st.subheader(t("required.title", lang))
    for r in required:
        cl = cat.checklists.get(r.checklist)
        name = checklist_name(cl, lang) if cl is not None else r.checklist
        box = st.container(border=True)
        text_col, button_col = box.columns([5, 1], vertical_alignment="center")
        text = f"**{md_escape(t('required.item', lang, checklist=name, subject=cat.person(r.subject)))}**"
        explanation = cat.required_explanations.get(r.rule)
        if explanation is not None:
            text += f"  \n{md_escape(explanation(lang))}"
        text_col.markdown(text)
        clicked = button_col.button(
            t("required.start", lang),
            key=f"{key_prefix}:start:{r.checklist}:{r.subject}",
            type="primary",
            icon=":material/play_arrow:",
            disabled=on_start is None,
        )
        if clicked and on_start is not None:
            on_start(r.checklist, r.subject)


def _legal_lines(step: Step, lang: str) -> str:
    """'Lagrum: X ⚠ lagrum ej verifierat' on one line for one reference, a list for several."""
    label = f"**{t('steps.legal_basis', lang)}:**"
    unverified = f":orange-badge[:material/warning: {t('steps.unverified', lang)}]"
    if step.legal_references:
        refs = [f"{md_escape(r.citation)}{'' if r.verified else ' ' + unverified}" for r in step.legal_references]
    else:  # citations without references (an older result): their verification is unknown, so they are marked
        refs = [f"{md_escape(c)} {unverified}" for c in step.legal_basis]
    if not refs:
        return f"{label} {t('steps.no_legal_basis', lang)}"
    if len(refs) == 1:
        return f"{label} {refs[0]}"
    return "\n".join([label, *(f"- {r}" for r in refs)])


def _agency_basis_lines(step: Step, lang: str) -> str:
    """Where agencies act together, each agency's own legal ground, unverified references marked."""
    unverified = f":orange-badge[:material/warning: {t('steps.unverified', lang)}]"
    lines = [f"**{t('steps.agency_basis', lang)}:**"]
    for agency, refs in step.legal_basis_by_agency.items():
        cited = ", ".join(f"{md_escape(r.citation)}{'' if r.verified else ' ' + unverified}" for r in refs)
        lines.append(f"- {md_escape(t(f'agency.{agency}', lang))}: {cited}")
    return "\n".join(lines)


def _render_step(
    st: StTarget,
    step: Step,
    lang: str,
    cat: Catalog,
    on_record_consent: Callable[[Step], object] | None,
    key_prefix: str,
    below: Callable[[StTarget, Step], object] | None = None,
) -> None:
    box = st.container(border=True)
    head = f"**{md_escape(step.action)}**"
    if step.own_agency:
        head = f":blue-badge[:material/star: {t('steps.own_agency', lang)}]  \n" + head
    box.markdown(head)
    box.markdown(_legal_lines(step, lang))
    if step.legal_basis_by_agency:
        box.markdown(_agency_basis_lines(step, lang))
    icon = CONSENT_ICONS.get(step.consent.value, "")
    consent = f"{icon} **{t('consent.label', lang)}:** {consent_word(step.consent, lang)}"
    if step.consent_note:
        consent += f"  \n{md_escape(step.consent_note)}"
    box.markdown(consent)
    if step.care_basis:  # what decides the care itself: the patient's consent, or the criteria of LPT
        box.markdown(f"**{t('steps.care_basis', lang)}:** {md_escape(step.care_basis)}")
    facts = []
    if step.because or step.reasons:
        reasons = "; ".join(describe(r, lang, cat, width=70) for r in reasons_of(step.because, step.reasons))
        facts.append(f"{t('steps.because', lang)}: {md_escape(reasons)}")
    if step.persons:
        facts.append(f"{t('steps.persons', lang)}: {md_escape(', '.join(cat.person(p) for p in step.persons))}")
    if facts:
        box.caption("  \n".join(facts))
    guidance_links(box, guidance_for_step(step.id), lang)
    if step.consent.value == "required":
        clicked = box.button(
            t("steps.record_consent", lang),
            key=f"{key_prefix}:consent:{step.id}",
            icon=":material/how_to_reg:",
            disabled=on_record_consent is None,
        )
        if clicked and on_record_consent is not None:
            on_record_consent(step)
    if below is not None:  # e.g. the consent form, opened right under its button
        with box:
            below(box, step)


def group_steps(steps: Sequence[Step]) -> list[tuple[str, list[tuple[str, list[Step]]]]]:
    """[(urgency, [(agency, steps)])] in the order immediate, same_day, within_week, planned; within an urgency
    the user's own agency first, then the others in the engine's order."""
    out: list[tuple[str, list[tuple[str, list[Step]]]]] = []
    for urgency in URGENCY_ORDER:
        agencies: dict[str, list[Step]] = {}
        for s in steps:
            if s.urgency.value == urgency:
                agencies.setdefault(s.agency, []).append(s)
        if agencies:
            ordered = sorted(agencies.items(), key=lambda kv: not any(s.own_agency for s in kv[1]))
            out.append((urgency, ordered))
    return out


def render_steps(
    st: StTarget,
    steps: Sequence[Step],
    lang: str,
    on_record_consent: Callable[[Step], object] | None = None,
    *,
    catalog: Catalog | None = None,
    key_prefix: str = "steps",
    below: Callable[[StTarget, Step], object] | None = None,
    title: bool = True,
) -> None:
    """Collaboration steps grouped by urgency, then agency: action, legal basis (unverified ones marked), consent,
    because, persons; the user's own agency highlighted; 'Record consent' calls `on_record_consent(step)`.
    `below(box, step)` draws more in a step's own box, after its buttons (the consent form opens there)."""
    cat = _catalog(catalog)
    if title:
        st.subheader(t("steps.title", lang))
    if not steps:
        st.markdown(t("steps.none", lang))
        return
    for urgency, agencies in group_steps(steps):
        st.markdown(f"#### {URGENCY_ICONS[urgency]} {urgency_name(urgency, lang)}")
        for agency, group in agencies:
            st.markdown(f"**{md_escape(cap_agency(agency, lang))}**")
            for step in group:
                _render_step(st, step, lang, cat, on_record_consent, key_prefix, below)


def guidance_url(entry_id: str) -> str:
    """The guidance page opened at one entry; relative, so it works under any base path of the app."""
    return f"guidance?entry={entry_id}"


def guidance_links(st: StTarget, entry_ids: Sequence[str], lang: str) -> None:
    """One link per guidance entry (knowledge/) that opens the guidance page at that entry in one click, e.g. under
    a step. Within the signed-in app a page link keeps the session; elsewhere a plain link to the page."""
    from risk.guidance import default_library
    from ui import nav

    library = default_library()
    page = nav.page("guidance")
    for entry_id in entry_ids:
        entry = library.entries.get(entry_id)
        if entry is None:  # load_library checks every link, so only a stale result can name a removed entry
            continue
        label = md_escape(f"{t('guidance.link', lang)}: {entry.title(lang)}")
        if page is not None:
            st.page_link(page, label=label, icon=":material/menu_book:", query_params={"entry": entry_id})
        else:
            st.markdown(f":material/menu_book: [{label}]({guidance_url(entry_id)})")


def guidance_help(entry_ids: Sequence[str], lang: str) -> str:
    """Markdown for a help tooltip (an item's help): 'Read more: [title](guidance?entry=id)', or '' for none."""
    from risk.guidance import default_library

    library = default_library()
    found = [library.entries[i] for i in entry_ids if i in library.entries]
    if not found:
        return ""
    linked = ", ".join(f"[{md_escape(e.title(lang))}]({guidance_url(e.id)})" for e in found)
    return f"**{t('guidance.read_more', lang)}:** {linked}"


# ---- the first screen of the result: what was changed, what to do now ------------------------------------------------


def render_override_summary(
    st: StTarget, result: AssessmentResult, checklist: Checklist, lang: str, *, catalog: Catalog | None = None
) -> None:
    """Where a professional changed a level: whose assessment, both levels, the reason as typed (plain text) and
    the floor warning if it was set below its floor. Shown at the top of the result, before what to do now."""
    cat = _catalog(catalog)
    box = st.container(border=True)
    box.markdown(f"**{md_escape(checklist.title(lang))}** · {md_escape(cat.person(result.subject))}")
    levels = box.columns(2)
    level_badge(levels[0], result.level, lang, label=t("result.final_level", lang), small=True)
    level_badge(levels[1], result.computed_level, lang, label=t("result.computed_level", lang), small=True)
    box.markdown(f"**{t('result.override_reason', lang)}:** {md_escape(result.override_reason or '')}")
    if result.below_floor and result.floor_level is not None:
        box.warning(
            t(
                "result.below_floor",
                lang,
                level=level_word(result.level, lang),
                floor=level_word(result.floor_level, lang),
            ),
            icon=":material/rate_review:",
        )


def is_overridden(result: AssessmentResult) -> bool:
    """A professional changed the level (or kept it with a written reason)."""
    return result.level is not result.computed_level or result.override_reason is not None


def render_step_lines(
    st: StTarget,
    steps: Sequence[Step],
    lang: str,
    *,
    plan: Mapping[str, str],
    on_done: Callable[[Step], object] | None = None,
    on_plan: Callable[[Step], object] | None = None,
    key_prefix: str = "now",
    below: Callable[[StTarget, Step], object] | None = None,
) -> None:
    """Steps as one line each: a check box named by the step's action marks it done, a short button adds it to
    the action plan; the step's guidance is linked under its text, one click away. `plan` maps a step id to the
    status of its item in the plan: a done step stays ticked, a planned one says so. Without `on_done`/`on_plan`
    (a role that does not act) the controls are disabled. `below(column, step)` draws more under a step's text."""
    for step in steps:
        status = plan.get(step.id)
        done = status == "done"
        tick_col, text_col, plan_col = st.columns([0.4, 5, 1.2], vertical_alignment="center")
        ticked = tick_col.checkbox(
            # The box's name for screen readers (the text beside it wraps, a label would not). A collapsed label
            # becomes the box's aria-label as it is, not read as Markdown: escaped, its backslashes were read out.
            step.action,
            value=done,
            key=f"{key_prefix}:done:{step.id}:{status}",  # a new box once the status changed: its value follows
            disabled=done or on_done is None,
            label_visibility="collapsed",
        )
        text_col.markdown(md_escape(step.action))
        guidance_links(text_col, guidance_for_step(step.id), lang)  # one click to the step's guidance (issue 10)
        if below is not None:  # e.g. the link to the law navigator, under the step's text
            with text_col:
                below(text_col, step)
        if ticked and not done and on_done is not None:
            on_done(step)
        if done:
            plan_col.markdown(f":green-badge[:material/check: {t('steps.done', lang)}]")
        elif status is not None and status != "cancelled":
            plan_col.markdown(f":blue-badge[:material/event: {t('steps.in_plan', lang)}]")
        elif (
            plan_col.button(
                t("steps.add_to_plan", lang),
                key=f"{key_prefix}:plan:{step.id}",
                help=t("steps.add_to_plan_help", lang),
                disabled=on_plan is None,
            )
            and on_plan is not None
        ):
            on_plan(step)

"""The local validation report in words and charts, for the page and for the saved HTML file.

Pure functions of a ValidationReport (risk/local_validation.py) and a language: no Streamlit here. Every text comes
from the locale files; every value that came from the uploaded file (column names, group values) is escaped.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from risk import local_validation
from risk.local_validation import GroupBreakdown, LevelRow, ValidationReport
from risk.vocabulary import RiskLevel
from ui.i18n import cap, t
from ui.labels import LEVEL_COLOURS

if TYPE_CHECKING:  # the learning module brings scikit-learn: only the page that learns imports it
    from risk.points_score import LearnedScore

LEVEL_WORDS = {lv.value for lv in RiskLevel}


def esc(text: str) -> str:
    """A value from the file as plotly may show it: plotly reads a few HTML tags in texts, so none get through."""
    return html.escape(text, quote=True)


def level_word(level: str, lang: str) -> str:
    """A checklist level in words ('high' → 'Hög'); a score's own value or range as it is."""
    return cap(t(f"level.{level}", lang)) if level in LEVEL_WORDS else level


def pct(x: float | None) -> str:
    return local_validation.pct(x, " ")


def interval(x: tuple[float, float] | None, percent: bool = True) -> str:
    return local_validation.interval(x, percent, " ")


def error_bars(points: list[tuple[float, tuple[float, float]]]) -> dict[str, Any]:
    """Plotly's error_y for (value, (low, high)) points: asymmetric bars to each end of the interval."""
    return {
        "type": "data",
        "symmetric": False,
        "array": [high - value for value, (_, high) in points],
        "arrayminus": [value - low for value, (low, _) in points],
    }


def count(x: int | None, lang: str) -> str:
    """A count, or the word for a hidden small cell."""
    return t("figures.suppressed", lang) if x is None else str(x)


def level_table(rows: list[LevelRow], lang: str) -> list[dict[str, str]]:
    """Calibration and flagging per level, one dict per level with headings in words; hidden cells say so."""
    return [
        {
            t("validation.level", lang): level_word(r.level, lang),
            t("validation.n", lang): count(r.n, lang),
            t("validation.share", lang): pct(r.share),
            t("validation.events", lang): count(r.events, lang),
            t("validation.rate", lang): pct(r.observed_rate),
            t("validation.rate_ci", lang): interval(r.rate_ci),
            t("validation.flagged", lang): count(r.flagged_n, lang),
            t("validation.sensitivity", lang): pct(r.sensitivity),
            t("validation.fpr", lang): pct(r.false_positive_rate),
        }
        for r in rows
    ]


def group_table(g: GroupBreakdown, lang: str) -> list[dict[str, str]]:
    return [
        {
            t("validation.group_value", lang, column=g.column): row.value,
            t("validation.n", lang): count(row.n, lang),
            t("validation.events", lang): (
                count(None, lang) if row.events is None else f"{row.events} ({pct(row.rate)})"
            ),
            "AUC": count(None, lang) if row.auc_suppressed else "–" if row.auc is None else f"{row.auc:.3f}",
            t("validation.auc_ci", lang): interval(row.auc_ci, percent=False),
        }
        for row in g.rows
    ]


def hidden_note(report: ValidationReport, lang: str) -> str | None:
    """One sentence when any figure is hidden as a small cell, else None."""
    rows = [*report.levels, *(r for g in report.groups for row in g.rows for r in row.levels)]
    if any(r.suppressed for r in rows) or any(row.suppressed for g in report.groups for row in g.rows):
        return t("validation.hidden_note", lang, min_cell=report.min_cell)
    return None


def curve_notes(report: ValidationReport, lang: str) -> list[str]:
    """Why the ROC curve, or a group's AUC, is not shown (too few with or without the outcome), if so."""
    notes = []
    if report.roc_suppressed:
        notes.append(t("validation.roc_hidden", lang, min_cell=report.min_cell))
    if any(row.auc_suppressed for g in report.groups for row in g.rows):
        notes.append(t("validation.auc_hidden", lang, min_cell=report.min_cell))
    return notes


def differences(g: GroupBreakdown, lang: str) -> list[str]:
    """The differences beyond chance, each in a sentence; none gives one sentence saying so."""
    found = []
    for d in g.differences:
        if not d.flagged:
            continue
        if d.measure == "auc":
            group, rest = f"{d.group:.3f}", f"{d.rest:.3f}"
            found.append(
                t("validation.difference_auc", lang, value=d.value, group=group, rest=rest, p=f"{d.p_adjusted:.2g}")
            )
        else:
            level = level_word(d.measure.removeprefix("rate at level "), lang)
            found.append(
                t(
                    "validation.difference_rate",
                    lang,
                    value=d.value,
                    level=level,
                    group=pct(d.group),
                    rest=pct(d.rest),
                    p=f"{d.p_adjusted:.2g}",
                )
            )
    return found or [t("validation.differences_none", lang, tests=len(g.differences))]


def learned_summary(result: LearnedScore, lang: str) -> str:
    """The learned points score in one sentence: its cross-validated AUC beside the references."""
    text = t(
        "learn.summary",
        lang,
        items=len(result.points),
        cv_auc=f"{result.cv_auc:.3f}",
        lr=f"{result.lr_cv_auc:.3f}",
        folds=result.folds,
        seed=result.seed,
        events=result.events,
        n=result.n,
    )
    if result.current is not None and result.current_cv_auc is not None:
        text += " " + t("learn.summary_current", lang, current=result.current, auc=f"{result.current_cv_auc:.3f}")
    return text


def learned_auc_table(result: LearnedScore, lang: str) -> list[dict[str, str]]:
    """Mean and per-fold AUC on the held-out folds: the learned score, the logistic regression, the current score."""
    rows = [
        (t("learn.points_score", lang, items=result.max_items), result.cv_auc, result.cv_auc_folds),
        (t("learn.logistic", lang), result.lr_cv_auc, result.lr_cv_auc_folds),
    ]
    if result.current is not None and result.current_cv_auc is not None and result.current_cv_auc_folds:
        rows.append((result.current, result.current_cv_auc, result.current_cv_auc_folds))
    return [
        {
            t("learn.model", lang): name,
            t("learn.mean_auc", lang): f"{mean:.3f}",
            **{t("learn.fold", lang, k=k + 1): f"{a:.3f}" for k, a in enumerate(folds)},
        }
        for name, mean, folds in rows
    ]


def learned_points_table(result: LearnedScore, lang: str) -> list[dict[str, str]]:
    """The items and their integer points, learned on all rows."""
    return [{t("learn.item", lang): label, t("learn.points", lang): f"{p:+d}"} for label, p in result.points.items()]


def learned_risk_table(result: LearnedScore, lang: str) -> list[dict[str, str]]:
    """The estimated outcome risk at each total of points seen in the file."""
    return [
        {t("learn.total", lang): str(total), t("learn.risk", lang): pct(risk)}
        for total, risk in result.risk_by_total.items()
    ]


def learned_figure(result: LearnedScore, lang: str) -> Any:
    """The AUC on each held-out fold: the learned points score, the logistic regression and the current score."""
    import plotly.graph_objects as go

    folds = [t("learn.fold", lang, k=k + 1) for k in range(result.folds)]
    series = [
        (t("learn.points_score", lang, items=result.max_items), result.cv_auc_folds),
        (t("learn.logistic", lang), result.lr_cv_auc_folds),
    ]
    if result.current is not None and result.current_cv_auc_folds:
        series.append((esc(result.current), result.current_cv_auc_folds))
    fig = go.Figure([go.Bar(x=folds, y=values, name=name) for name, values in series])
    fig.update_layout(
        title=t("learn.chart_title", lang),
        yaxis_title="AUC",
        yaxis={"range": [0.5, 1]},
        barmode="group",
    )
    return fig


def learned_alt(result: LearnedScore, lang: str) -> str:
    return t("learn.chart_alt", lang, folds=result.folds)


def summary(report: ValidationReport, lang: str) -> str:
    return t(
        "validation.summary",
        lang,
        auc=f"{report.auc:.3f}",
        low=f"{report.auc_ci[0]:.3f}",
        high=f"{report.auc_ci[1]:.3f}",
        n=report.n,
        events=report.events,
        rate=pct(report.events / report.n),
        boot=report.bootstrap,
    )


def roc_figure(report: ValidationReport, lang: str) -> Any:
    import plotly.graph_objects as go

    fpr = [p[0] for p in report.roc]
    tpr = [p[1] for p in report.roc]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", name=f"AUC {report.auc:.3f}"))
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot"}, name=t("validation.chance_line", lang))
    )
    fig.update_layout(
        title=t("validation.roc_title", lang),
        xaxis_title=t("validation.fpr_axis", lang),
        yaxis_title=t("validation.tpr_axis", lang),
        xaxis={"range": [0, 1]},
        yaxis={"range": [0, 1]},
    )
    return fig


def calibration_figure(report: ValidationReport, lang: str) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    series = [(t("validation.everyone", lang), report.levels)]
    series += [
        (esc(f"{g.column}: {row.value}"), row.levels) for g in report.groups for row in g.rows if not row.suppressed
    ]
    for name, rows in series:
        shown = [r for r in rows if r.observed_rate is not None and r.rate_ci is not None]
        fig.add_trace(
            go.Scatter(
                x=[level_word(r.level, lang) for r in shown],
                y=[r.observed_rate for r in shown],
                error_y=error_bars([(r.observed_rate or 0.0, r.rate_ci) for r in shown if r.rate_ci]),
                mode="lines+markers",
                name=name,
            )
        )
    colours = [LEVEL_COLOURS[r.level] for r in report.levels if r.level in LEVEL_COLOURS]
    fig.update_layout(
        title=t("validation.calibration_title", lang),
        xaxis_title=t("validation.level", lang),
        yaxis_title=t("validation.rate_axis", lang),
        yaxis={"tickformat": ".0%"},
        colorway=colours or None,
    )
    return fig


def group_figure(g: GroupBreakdown, lang: str) -> Any:
    import plotly.graph_objects as go

    rows = [row for row in g.rows if row.auc is not None and row.auc_ci is not None]
    fig = go.Figure(
        go.Bar(
            x=[esc(row.value) for row in rows],
            y=[row.auc for row in rows],
            error_y=error_bars([(row.auc or 0.0, row.auc_ci) for row in rows if row.auc_ci]),
            name="AUC",
        )
    )
    fig.update_layout(
        title=t("validation.group_title", lang, column=esc(g.column)),
        xaxis_title=esc(g.column),
        yaxis_title="AUC",
        yaxis={"range": [0, 1]},
    )
    return fig


def alt_texts(report: ValidationReport, lang: str) -> dict[str, str]:
    """What each chart shows, for a screen reader: the figures are in the tables too."""
    return {
        "roc": t("validation.roc_alt", lang, auc=f"{report.auc:.3f}"),
        "calibration": t("validation.calibration_alt", lang, levels=len(report.levels)),
        **{g.column: t("validation.group_alt", lang, column=g.column, groups=len(g.rows)) for g in report.groups},
    }


def _table_html(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    head = "".join(f"<th scope='col'>{html.escape(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_html(report: ValidationReport, lang: str) -> str:
    """The whole report as one self-contained HTML file (plotly.js inlined once); every text escaped."""
    alts = alt_texts(report, lang)
    e = html.escape
    parts = [
        f"<h1>{e(t('validation.title', lang))}</h1>",
        f"<p>{e(t('validation.html_intro', lang, outcome=report.outcome, score=report.score))}</p>",
        f"<p><strong>{e(summary(report, lang))}</strong></p>",
    ]
    note = hidden_note(report, lang)
    if note is not None:
        parts.append(f"<p>{e(note)}</p>")
    parts += [f"<p>{e(n)}</p>" for n in curve_notes(report, lang)]
    figures: list[tuple[Any, str]] = [] if report.roc_suppressed else [(roc_figure(report, lang), alts["roc"])]
    figures.append((calibration_figure(report, lang), alts["calibration"]))
    first = True
    for fig, alt in figures:
        chart = fig.to_html(full_html=False, include_plotlyjs=first)
        label = e(alt, quote=True)
        parts.append(f"<figure role='img' aria-label='{label}'>{chart}<figcaption>{e(alt)}</figcaption></figure>")
        first = False
    parts.append(f"<h2>{e(t('validation.calibration_title', lang))}</h2>")
    parts.append(_table_html(level_table(report.levels, lang)))
    for g in report.groups:
        parts.append(f"<h2>{e(t('validation.group_title', lang, column=g.column))}</h2>")
        chart = group_figure(g, lang).to_html(full_html=False, include_plotlyjs=False)
        parts.append(f"<figure role='img' aria-label='{e(alts[g.column], quote=True)}'>{chart}</figure>")
        parts.append(_table_html(group_table(g, lang)))
        parts.append("<ul>" + "".join(f"<li>{e(s)}</li>" for s in differences(g, lang)) + "</ul>")
        for row in (r for r in g.rows if not r.suppressed):
            parts.append(f"<h3>{e(t('validation.group_value', lang, column=g.column))}: {e(row.value)}</h3>")
            parts.append(_table_html(level_table(row.levels, lang)))
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;text-align:right}"
    )
    return (
        f"<!DOCTYPE html><html lang='{e(lang, quote=True)}'><head><meta charset='utf-8'>"
        f"<title>{e(t('validation.title', lang))}</title><style>{style}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>\n"
    )

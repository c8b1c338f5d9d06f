"""The local validation page as a supervisor meets it: upload a follow-up file, see AUC, charts, groups, save HTML."""

from __future__ import annotations

import html
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

from risk.local_validation import validate
from risk.storage.access import ROLES, may_validate_locally
from tests.app.helpers import nav_titles, open_page, sign_in, start
from tests.ui.helpers import no_exceptions, page_text
from ui import session
from ui.i18n import t
from ui.validation_report import report_html


def synthetic(n: int = 600, seed: int = 0) -> tuple[bytes, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    score = rng.integers(1, 6, n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.6 * score)))
    unit = np.where(rng.random(n) < 0.5, "Norr", "<b>Syd</b>")  # a value from the file is never markup
    frame = pd.DataFrame({"utfall": y.astype(int), "poäng": score, "enhet": unit})
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=";", index=False)
    return buffer.getvalue().encode("utf-8"), y, score.astype(float)


def _page(lang: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(session, "lang", lambda: lang)  # AppTest formats options outside the run
    at = start()
    at.session_state["lang"] = lang
    at.run()
    at = sign_in(at, "chef")
    no_exceptions(at)
    assert t("validation.title", lang) in nav_titles(at)
    return open_page(at, t("validation.title", lang))


def test_a_supervisor_uploads_a_file_and_sees_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page("sv", monkeypatch)
    assert t("validation.no_file", "sv") in page_text(at)
    data, y, score = synthetic()
    at.file_uploader[0].set_value(("uppfoljning.csv", data, "text/csv")).run()
    no_exceptions(at)
    outcome, score_box, _ = at.selectbox[:3]  # the validation form; the learning form follows
    outcome.set_value("utfall")
    score_box.set_value("poäng")
    at.multiselect[0].set_value(["enhet"])
    at.button[0].click().run()
    no_exceptions(at)
    text = page_text(at)
    auc = roc_auc_score(y, score)
    assert f"AUC {auc:.3f}" in text
    charts = at.get("plotly_chart")
    assert len(charts) == 3  # ROC, calibration, AUC per unit
    spec = json.loads(charts[2].proto.spec)
    assert set(spec["data"][0]["x"]) == {"Norr", "&lt;b&gt;Syd&lt;/b&gt;"}
    assert t("validation.roc_alt", "sv", auc=f"{auc:.3f}") in text  # the chart in words too
    levels = at.table[0].value
    assert list(levels[t("validation.level", "sv")]) == ["1", "2", "3", "4", "5"]
    assert "<b>Syd</b>" not in text
    (download,) = at.get("download_button")
    assert download.proto.label == t("validation.save_html", "sv")


def test_english_view_and_a_bad_file_named_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page("en", monkeypatch)
    at.file_uploader[0].set_value(("f.csv", b"outcome,score\n1,3\nmaybe,2\n0,1\n", "text/csv")).run()
    at.selectbox[0].set_value("outcome")
    at.selectbox[1].set_value("score")
    at.button[0].click().run()
    no_exceptions(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "line 3" in errors[0] and "maybe" in errors[0]
    assert errors[0].startswith(t("validation.file_problem", "en", problem="")[:20])
    assert not at.get("plotly_chart")


def test_who_may_validate() -> None:
    allowed = {role for role in ROLES if may_validate_locally(role)}
    assert allowed == {"supervisor", "coordinator", "admin"}


def test_an_officer_has_no_validation_page() -> None:
    at = sign_in(start(), "polis")
    no_exceptions(at)
    assert t("validation.title", "sv") not in nav_titles(at)


def test_saved_html_is_self_contained_and_escaped() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    s = rng.integers(0, 4, 300).astype(float)
    groups = {"<script>alert(1)</script>": pd.Series(np.where(rng.random(300) < 0.5, "</script><img src=x>", "b"))}
    report = validate(y, s, outcome="<i>utfall</i>", score="s", groups=groups, n_boot=100)
    page = report_html(report, "sv")
    assert page.startswith("<!DOCTYPE html>") and "<html lang='sv'>" in page
    assert "<script>alert(1)" not in page and "<img src=x>" not in page and "<i>utfall" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("plotly.js v") == 1  # plotly.js inlined once: opens without a network
    assert "<script src=" not in page and '<script type="text/javascript" src=' not in page
    assert t("validation.calibration_title", "sv") in page and f"{report.auc:.3f}" in page


def test_the_upload_limit_is_the_servers_and_the_pages() -> None:
    import tomllib

    from tests.conftest import ROOT
    from ui.pages.validation import MAX_UPLOAD_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES


def test_a_file_over_the_limit_is_refused_by_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.pages import validation

    monkeypatch.setattr(validation, "MAX_UPLOAD_BYTES", 100)  # AppTest passes no server limit: the page's own check
    at = _page("sv", monkeypatch)
    data, _, _ = synthetic()
    at.file_uploader[0].set_value(("stor.csv", data, "text/csv")).run()
    no_exceptions(at)
    assert [e.value for e in at.error] == [t("validation.too_large", "sv", mb=0)]
    assert not at.selectbox


def test_a_checklist_file_is_scored_and_shown_by_level_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(8)
    n = 400
    strangled = rng.random(n) < 0.3
    threat = rng.random(n) < 0.4
    y = rng.random(n) < 0.1 + 0.5 * strangled + 0.2 * threat
    frame = pd.DataFrame(
        {
            "dv.strangulation": np.where(strangled, "yes", "no"),
            "dv.threat_to_kill": np.where(threat, "yes", "no"),
            "utfall": y.astype(int),
        }
    )
    at = _page("sv", monkeypatch)
    at.file_uploader[0].set_value(("svar.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox[0].set_value("utfall")
    at.radio[0].set_value("checklist")
    at.selectbox[2].set_value("domestic_violence")
    at.button[0].click().run()
    no_exceptions(at)
    levels = list(at.table[0].value[t("validation.level", "sv")])
    assert levels == ["Låg", "Måttlig", "Hög", "Mycket hög"]
    from risk.batch import score_frame

    scored = score_frame(frame.drop(columns=["utfall"]).astype(str), "domestic_violence")
    assert f"AUC {roc_auc_score(y, scored['score']):.3f}" in page_text(at)


def test_another_file_does_not_show_the_last_files_report(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page("sv", monkeypatch)
    data, _, _ = synthetic()
    at.file_uploader[0].set_value(("a.csv", data, "text/csv")).run()
    at.selectbox[0].set_value("utfall")
    at.selectbox[1].set_value("poäng")
    at.button[0].click().run()
    assert at.get("plotly_chart")
    other, _, _ = synthetic(seed=1)
    at.file_uploader[0].set_value(("b.csv", other, "text/csv")).run()
    no_exceptions(at)
    assert not at.get("plotly_chart") and not at.get("download_button")


def test_small_groups_are_hidden_on_the_page_and_in_the_html(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_local_validation import small_groups

    at = _page("en", monkeypatch)
    data = small_groups().to_csv(index=False).encode()
    at.file_uploader[0].set_value(("small.csv", data, "text/csv")).run()
    at.selectbox[0].set_value("y")
    at.selectbox[1].set_value("s")
    at.multiselect[0].set_value(["unit"])
    at.button[0].click().run()
    no_exceptions(at)
    assert t("validation.hidden_note", "en", min_cell=5) in [i.value for i in at.info]
    groups = at.table[1].value
    hidden = t("figures.suppressed", "en")
    units, sizes = groups[t("validation.group_value", "en", column="unit")], groups[t("validation.n", "en")]
    by_unit = dict(zip(units, sizes, strict=True))
    assert by_unit == {"east": hidden, "north": "302", "south": "300", "west": hidden}
    assert at.get("download_button")
    report = at.session_state["validation.report"][1]
    page = report_html(report, "en")
    assert html.escape(t("validation.hidden_note", "en", min_cell=5)) in page
    assert "<h3>unit: east</h3>" not in page and "<h3>unit: north</h3>" in page


def checklist_answers(n: int = 900, seed: int = 3) -> pd.DataFrame:
    """Answers to three domestic-violence items and an outcome that two of them raise (the third is noise)."""
    rng = np.random.default_rng(seed)
    strangled, weapon, other = rng.random(n) < 0.3, rng.random(n) < 0.25, rng.random(n) < 0.5
    y = rng.random(n) < 0.05 + 0.45 * strangled + 0.25 * weapon
    yes = lambda v: np.where(v, "yes", "no")  # noqa: E731
    return pd.DataFrame(
        {
            "dv.strangulation": yes(strangled),
            "dv.weapon_access": yes(weapon),
            "dv.jealousy_obsession": yes(other),
            "utfall": y.astype(int),
        }
    )


def test_a_supervisor_learns_a_points_score_and_gets_a_proposal(monkeypatch: pytest.MonkeyPatch) -> None:
    from risk.checklists import default_checklists
    from risk.points_score import learn_frame, proposal_yaml

    frame = checklist_answers()
    before = {i: item.points for i, item in default_checklists()["domestic_violence"].items.items()}
    at = _page("sv", monkeypatch)
    at.file_uploader[0].set_value(("svar.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    no_exceptions(at)
    assert t("learn.title", "sv") in page_text(at)
    at.selectbox[3].set_value("utfall")
    at.radio[1].set_value("checklist")
    at.selectbox[5].set_value("domestic_violence")
    at.number_input[0].set_value(2)
    at.number_input[1].set_value(3)
    at.number_input[2].set_value(1)
    at.button[1].click().run()
    no_exceptions(at)
    expected = learn_frame(frame.astype(str), "utfall", max_items=2, folds=3, seed=1, checklist="domestic_violence")
    text = page_text(at)
    assert f"AUC {expected.cv_auc:.3f}" in text and f"{expected.lr_cv_auc:.3f}" in text
    (chart,) = at.get("plotly_chart")  # AUC per fold, in words too
    spec = json.loads(chart.proto.spec)
    assert len(spec["data"]) == 3 and spec["data"][0]["y"] == pytest.approx(expected.cv_auc_folds)
    assert t("learn.chart_alt", "sv", folds=3) in text
    aucs = at.table[0].value
    assert list(aucs[t("learn.model", "sv")]) == [
        t("learn.points_score", "sv", items=2),
        t("learn.logistic", "sv"),
        "domestic_violence current weights",
    ]
    assert list(aucs[t("learn.fold", "sv", k=3)]) == [
        f"{a:.3f}" for a in (expected.cv_auc_folds[2], expected.lr_cv_auc_folds[2], expected.current_cv_auc_folds[2])
    ]
    points = at.table[1].value
    assert set(points[t("learn.item", "sv")]) == {"dv.strangulation", "dv.weapon_access"}
    assert t("learn.proposal_note", "sv") in [w.value for w in at.warning]
    (download,) = at.get("download_button")
    assert download.proto.label == t("learn.download", "sv")
    _, result, checklist = at.session_state["validation.learned"]
    assert checklist == "domestic_violence" and result.points == expected.points
    proposed = proposal_yaml(result, checklist)
    assert proposed.startswith("# PROPOSAL")
    after = {i: item.points for i, item in default_checklists()["domestic_violence"].items.items()}
    assert after == before  # a proposal, never applied


def test_learning_without_a_checklist_and_a_bad_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page("en", monkeypatch)
    data, _, _ = synthetic(n=400)
    at.file_uploader[0].set_value(("f.csv", data, "text/csv")).run()
    at.selectbox[3].set_value("enhet")  # not an outcome: named, no traceback
    at.button[1].click().run()
    no_exceptions(at)
    assert any("enhet" in e.value and "is not an outcome" in e.value for e in at.error)
    assert not at.get("download_button")
    at.selectbox[3].set_value("utfall")
    at.radio[1].set_value("score")
    at.selectbox[4].set_value("poäng")
    at.button[1].click().run()
    no_exceptions(at)
    aucs = at.table[0].value
    assert list(aucs[t("learn.model", "en")])[-1] == "poäng"  # the score compared with, not learned from
    assert not any("poäng" in label for label in at.table[1].value[t("learn.item", "en")])
    assert t("learn.no_proposal", "en") in page_text(at) and not at.get("download_button")


def test_a_file_too_long_for_the_page_is_sent_to_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.pages import validation

    monkeypatch.setattr(validation, "MAX_LEARN_ROWS", 100)
    at = _page("en", monkeypatch)
    data, _, _ = synthetic(n=400)
    at.file_uploader[0].set_value(("f.csv", data, "text/csv")).run()
    at.selectbox[3].set_value("utfall")
    at.button[1].click().run()
    no_exceptions(at)
    assert [e.value for e in at.error] == [t("learn.too_many_rows", "en", rows=400, max=100)]


def test_the_roc_curve_is_not_drawn_for_a_file_with_too_few_with_the_outcome_and_says_why() -> None:
    """The report's HTML and the page's helpers in both languages: no curve, the reason instead (issue 11)."""
    from ui import validation_report as vr

    y = np.array([1, 1, 1] + [0] * 57, dtype=bool)
    s = np.arange(60, dtype=float) % 10
    few = validate(y, s, outcome="y", score="s", n_boot=200)
    normal = validate(np.arange(60) % 3 == 0, s, outcome="y", score="s", n_boot=200)
    for lang, words in (("sv", "ROC-kurvan visas inte: färre än 5"), ("en", "ROC curve not shown: fewer than 5")):
        [note] = vr.curve_notes(few, lang)
        assert note.startswith(words)
        page = vr.report_html(few, lang)
        assert words in page and vr.alt_texts(few, lang)["roc"] not in page  # the curve's figure is not there
        assert vr.curve_notes(normal, lang) == []
        assert vr.alt_texts(normal, lang)["roc"] in vr.report_html(normal, lang)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_page_draws_no_roc_curve_for_a_file_with_too_few_with_the_outcome(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_local_validation import few_events

    at = _page(lang, monkeypatch)
    at.file_uploader[0].set_value(("few.csv", few_events(3, 60).to_csv(index=False).encode(), "text/csv")).run()
    at.selectbox[0].set_value("y")
    at.selectbox[1].set_value("s")
    at.button[0].click().run()
    no_exceptions(at)
    assert t("validation.roc_hidden", lang, min_cell=5) in [i.value for i in at.info]
    charts = [str(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 1 and t("validation.roc_title", lang) not in charts[0]  # the calibration chart alone


ENGLISH_MARKERS = {"the", "is", "not", "with", "and", "of", "column", "line", "file", "allowed", "outcome", "empty"}
SENTENCES = {  # a phrase of each problem's text, per language
    "extra_fields": {"sv": "ingen giltig CSV-fil: rad 2 har fler fält", "en": "not a valid CSV file: line 2 has more"},
    "not_outcome": {"sv": "rad 3: ”kanske” är inget utfall", "en": "line 3: “kanske” is not an outcome"},
    "no_item_column": {"sv": "Ingen kolumn är en fråga i Våld i nära relation", "en": "No column is an item of Dom"},
    "column_taken": {"sv": "Filen har redan en kolumn ”score”", "en": "The file already has a column “score”"},
}


def _file_problems(at: AppTest, lang: str) -> list[str]:
    """The page's error boxes about the file: each opens with the page's own words, then the problem."""
    opening = t("validation.file_problem", lang, problem="")
    errors = [e.value for e in at.error]
    assert errors and all(e.startswith(opening) for e in errors), errors
    return [e.removeprefix(opening) for e in errors]


def _no_english(texts: list[str], typed: set[str]) -> None:
    for text in texts:
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", text)} - typed
        assert not words & ENGLISH_MARKERS, text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_bad_file_is_named_in_the_pages_language(lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(lang, monkeypatch)
    at.file_uploader[0].set_value(("fel.csv", b"utfall,poang\n1,2,3\n0,1\n", "text/csv")).run()  # not read
    no_exceptions(at)
    [problem] = _file_problems(at, lang)
    assert SENTENCES["extra_fields"][lang] in problem and "fel.csv" in problem
    assert "C error" not in problem and not at.selectbox
    at.file_uploader[0].set_value(("f.csv", b"utfall;poang\n1;3\nkanske;2\n0;1\n", "text/csv")).run()
    at.selectbox[0].set_value("utfall")
    at.selectbox[1].set_value("poang")
    at.button[0].click().run()  # validate
    no_exceptions(at)
    [problem] = _file_problems(at, lang)
    assert SENTENCES["not_outcome"][lang] in problem and "utfall" in problem
    assert not at.get("plotly_chart")
    if lang == "sv":
        _no_english(_file_problems(at, lang), {"utfall", "kanske"})
    else:
        assert not re.search("[åäö]", problem)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_learning_from_a_file_without_the_checklists_items_says_so_in_the_pages_language(
    lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _, _ = synthetic(n=60)
    data = data.replace("poäng".encode(), b"score", 1)  # a score column where the checklist's score is written
    at = _page(lang, monkeypatch)
    at.file_uploader[0].set_value(("f.csv", data, "text/csv")).run()
    at.selectbox[3].set_value("utfall")  # the learning form
    at.radio[1].set_value("checklist")
    at.selectbox[5].set_value("domestic_violence")
    at.button[1].click().run()
    no_exceptions(at)
    problems = _file_problems(at, lang)
    assert any(SENTENCES["column_taken"][lang] in p for p in problems), problems
    assert any(SENTENCES["no_item_column"][lang] in p for p in problems), problems
    assert "dv.strangulation" in " ".join(problems) and not at.get("download_button")
    if lang == "sv":
        _no_english(problems, {"score", "dv", "strangulation", "enhet"})

"""End to end, in Chromium: a supervisor uploads a synthetic follow-up file, sees the validation report and saves it
as one HTML file; from a file of checklist answers, learns a points score and downloads the proposed weights."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import roc_auc_score

from tests.e2e.conftest import assert_clean, browser_missing, choose, settle, skip_or_fail, type_into

if (why := browser_missing()) is not None:
    skip_or_fail(why)

from playwright.sync_api import Page, expect  # after the check: without the package the module is skipped

from tests.e2e.test_accessibility import check  # the same accessibility checks as every other page

PATIENCE_MS = 120_000  # a shared, loaded machine can take long over the first run of a session


def test_a_supervisor_uploads_a_file_sees_the_report_and_saves_it(
    signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    rng = np.random.default_rng(7)
    n = 500
    score = rng.integers(1, 6, n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.6 * score)))
    path = tmp_path / "uppfoljning.csv"
    pd.DataFrame(
        {"utfall": y.astype(int), "poäng": score, "enhet": np.where(rng.random(n) < 0.5, "Norr", "Syd")}
    ).to_csv(path, sep=";", index=False)
    auc = roc_auc_score(y, score)

    page = signed_in("chef")
    page.set_default_timeout(PATIENCE_MS)
    page.get_by_role("link", name="Lokal validering").click()
    settle(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Lokal validering")).to_be_visible()
    check(page, "validation without a file")
    main.locator("input[type='file']").set_input_files(str(path))
    settle(page)
    expect(main.get_by_role("combobox", name="Utfallskolumn", exact=True)).to_be_visible()
    choose(page, "Utfallskolumn", "utfall")
    choose(page, "Poängkolumn (högre betyder högre risk)", "poäng")
    groups = main.get_by_role("combobox", name="Dela upp efter", exact=True)
    groups.click()
    page.get_by_role("option", name="enhet", exact=True).click()
    page.keyboard.press("Escape")
    main.get_by_role("button", name="Visa rapporten").click()
    settle(page)
    expect(main.get_by_text(f"AUC {auc:.3f}", exact=False).first).to_be_visible()
    expect(main.get_by_role("heading", name="Efter enhet")).to_be_visible()
    expect(main.locator("[data-testid='stPlotlyChart']")).to_have_count(3)
    expect(main.get_by_text("ROC-kurva: andelen personer").first).to_be_visible()  # the chart in words
    assert_clean(page)
    check(page, "validation report")

    with page.expect_download() as download_info:
        main.get_by_role("button", name="Spara rapporten som HTML").click()
    saved = tmp_path / "report.html"
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<html lang='sv'>" in text
    assert f"{auc:.3f}" in text and "Efter enhet" in text
    assert text.count("plotly.js v") == 1  # self-contained: opens without a network


def test_a_supervisor_learns_a_points_score_and_downloads_the_proposal(
    signed_in: Callable[[str], Page], tmp_path: Path
) -> None:
    from risk.points_score import learn_frame

    rng = np.random.default_rng(3)
    n = 600
    strangled, weapon, other = rng.random(n) < 0.3, rng.random(n) < 0.25, rng.random(n) < 0.5
    y = rng.random(n) < 0.05 + 0.45 * strangled + 0.25 * weapon
    frame = pd.DataFrame(
        {
            "dv.strangulation": np.where(strangled, "yes", "no"),
            "dv.weapon_access": np.where(weapon, "yes", "no"),
            "dv.jealousy_obsession": np.where(other, "yes", "no"),
            "utfall": y.astype(int),
        }
    )
    path = tmp_path / "svar.csv"
    frame.to_csv(path, index=False)
    expected = learn_frame(frame.astype(str), "utfall", max_items=2, folds=3, seed=0, checklist="domestic_violence")

    page = signed_in("chef")
    page.set_default_timeout(PATIENCE_MS)
    page.get_by_role("link", name="Lokal validering").click()
    settle(page)
    main = page.get_by_test_id("stMain")
    main.locator("input[type='file']").set_input_files(str(path))
    settle(page)
    expect(main.get_by_role("heading", name="Lär en poängskala av filen (ett förslag)")).to_be_visible()
    choose(page, "Utfallskolumn att lära av", "utfall")
    main.get_by_text("En checklistas nuvarande vikter (lär av dess frågekolumner)").click()
    type_into(page, "Högst så här många frågor", "2")
    type_into(page, "Delar i korsvalideringen", "3")
    main.get_by_role("button", name="Lär poängskalan").click()
    settle(page)
    expect(main.get_by_text(f"korsvaliderad AUC {expected.cv_auc:.3f}", exact=False)).to_be_visible()
    expect(main.get_by_role("cell", name="dv.strangulation", exact=True)).to_be_visible()
    expect(main.get_by_text("Detta är ett förslag.", exact=False)).to_be_visible()
    assert_clean(page)
    check(page, "learned points score")

    with page.expect_download() as download_info:
        main.get_by_role("button", name="Ladda ner de föreslagna vikterna (YAML, ett förslag att granska)").click()
    saved = tmp_path / "proposal.yaml"
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert text.startswith("# PROPOSAL")
    proposed = yaml.safe_load(text)
    assert proposed["checklist"] == "domestic_violence" and proposed["proposed_points"]["dv.strangulation"] > 0

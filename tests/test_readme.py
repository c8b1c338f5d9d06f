"""The README's two commands are the ones that work: CI runs the test command verbatim."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def commands() -> list[str]:
    return re.findall(r"```bash\n(python3 -m venv[^\n]*)\n```", (ROOT / "README.md").read_text())


def test_readme_has_exactly_two_setup_commands() -> None:
    assert len(commands()) == 2


def test_ci_runs_the_readme_test_command() -> None:
    test_command = commands()[1]
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_readme_first_command_starts_the_app() -> None:
    assert commands()[0].endswith("streamlit run app.py")


def test_readme_example_case_exists_and_is_synthetic() -> None:
    assert "data/example_case.json" in (ROOT / "README.md").read_text()
    assert "SYNTHETIC" in (ROOT / "data" / "example_case.json").read_text()


def test_readme_says_how_to_run_each_tier_and_refresh_the_pictures() -> None:
    readme = (ROOT / "README.md").read_text()
    tests = readme.split("## Tests", 1)[1].split("\n## ", 1)[0]
    assert '.venv/bin/python -m pytest -m "not full"' in tests
    assert "--screenshots" in readme.split("## Screenshots", 1)[1].split("\n## ", 1)[0]
    pictures = re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme)
    assert pictures and all((ROOT / picture).exists() for picture in pictures)


def test_the_full_tier_takes_the_browser_storage_and_postgresql_tests() -> None:
    from tests.conftest import FULL_TIER_PATHS

    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'markers = ["full:' in pyproject
    assert {"e2e/", "storage/"} <= set(FULL_TIER_PATHS)
    assert all((ROOT / "tests" / path).exists() for path in FULL_TIER_PATHS)  # a renamed file would slip back

"""The fast tier runs in parallel (`pytest -n auto`, pytest-xdist): the README's command has its plugin pinned, and
every test process writes what the app writes by default (SQLite file, secret and audit keys) into a folder of its
own, never into the checkout's var/ that another worker or the developer's own app uses."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.conftest import ROOT


def test_the_readmes_parallel_command_has_its_plugin_pinned() -> None:
    tests = (ROOT / "README.md").read_text().split("## Tests", 1)[1].split("\n## ", 1)[0]
    assert '.venv/bin/python -m pytest -m "not full" -n auto' in tests
    assert re.search(r"^pytest-xdist==\d+(\.\d+)+\b", (ROOT / "requirements-dev.txt").read_text(), re.M)


def test_each_test_process_has_a_data_folder_of_its_own() -> None:
    from risk.storage.base import DEFAULT_DATA_DIR

    folder = Path(os.environ["SAMRISK_DATA_DIR"]).resolve()
    assert DEFAULT_DATA_DIR.resolve() == folder  # set before risk.storage read it at import
    if os.environ.get("SAMRISK_DATA_DIR") != os.environ.get("_SAMRISK_TEST_DATA_DIR"):
        return  # the caller chose the folder (SAMRISK_DATA_DIR set before pytest started): theirs to share or not
    assert folder.is_dir() and not folder.is_relative_to(ROOT)
    assert folder.name.startswith(f"samrisk-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")

"""Shared helpers: build small case files and run the command line as a user would; the two test tiers.

Tiers: `pytest` runs everything (what CI's `.ci/run` runs); `pytest -m "not full"` is the fast tier for daily
work. A test is in the full tier when it is marked `@pytest.mark.full` or sits where `FULL_TIER_PATHS` says
(browser, storage, big property runs) or runs on PostgreSQL (the storage tests' `postgresql` variant, wherever
it is).
`--screenshots` makes the browser tests refresh the README's pictures in docs/screenshots/ (tests/e2e/conftest.py);
without it a test run leaves the checkout unchanged.

Parallel runs (`-n 2`, pytest-xdist): every worker is a process of its own with its own data folder
(SAMRISK_DATA_DIR: the default SQLite file, the generated secret and audit keys; `_a_data_folder_of_our_own`), its own
temporary folders (tmp_path), its own PostgreSQL databases (random names, tests/storage/conftest.py) and its own
servers on free ports (tests/e2e/conftest.py); nothing is shared between workers but the checkout's files (the
tests read them; hypothesis keeps its examples in .hypothesis/, safe to share).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Paths (relative to tests/, a folder or a file) whose tests belong to the full tier only: the browser tests, the
# storage tests (a database per test, on SQLite and PostgreSQL) and the big property runs (hundreds of generated
# cases each). The fast tier keeps the engine, checklists, command line, components and the pages (AppTest).
FULL_TIER_PATHS: tuple[str, ...] = (
    "e2e/",
    "storage/",
    "test_properties.py",
    "test_properties_law.py",
    "test_level_rule_properties.py",
    "test_input_fuzz.py",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--screenshots",
        action="store_true",
        default=False,
        help="browser tests write their screenshots into docs/screenshots/ (the README's pictures); without it "
        "they go to pytest's temporary folder and the checkout stays unchanged",
    )


_DATA_DIR_SET_HERE = "_SAMRISK_TEST_DATA_DIR"  # remembers the folder this process made, to remove it at the end


def _a_data_folder_of_our_own() -> None:
    """A data folder of this process's own (SAMRISK_DATA_DIR, unless the caller set one): the app's default SQLite file
    and the secret and audit keys it makes on a first start go there, never into the checkout's var/, so parallel
    workers (each a process) never race to create the same key file and a test run leaves the checkout unchanged.
    Done when this file is imported, before any conftest or test imports risk.storage (its default folder is read at
    import); the command-line runs of the tests inherit it."""
    given = os.environ.get("SAMRISK_DATA_DIR")
    if given and given != os.environ.get(_DATA_DIR_SET_HERE):  # the caller's own (an xdist worker inherits ours)
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = tempfile.mkdtemp(prefix=f"samrisk-tests-{worker}-")
    os.environ["SAMRISK_DATA_DIR"] = folder
    os.environ[_DATA_DIR_SET_HERE] = folder


_a_data_folder_of_our_own()


@pytest.hookimpl(trylast=True)  # after the session's fixtures are torn down; an xdist worker never unconfigures
def pytest_sessionfinish(session: pytest.Session) -> None:
    folder = os.environ.pop(_DATA_DIR_SET_HERE, None)
    if folder and os.environ.get("SAMRISK_DATA_DIR") == folder:
        del os.environ["SAMRISK_DATA_DIR"]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _installed_components_scanned_once() -> Iterator[None]:
    """Every AppTest, on its first run, has Streamlit scan the metadata of every installed package for components
    (streamlit.components.v2.manifest_scanner): a tenth of a second of CPU each time, hundreds of times a run, with
    the same answer, since nothing is installed during a test run. So the scan is done once per process and its answer
    given to each AppTest. Only where AppTest was imported (tests/app, tests/ui): engine tests import no Streamlit."""
    if "streamlit.testing.v1" not in sys.modules:
        yield
        return
    from streamlit.components.v2 import manifest_scanner

    found = manifest_scanner.scan_component_manifests()

    def scan(max_workers: int | None = None) -> list[Any]:
        return list(found)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(manifest_scanner, "scan_component_manifests", scan)
        yield


def in_full_tier(item: pytest.Item) -> bool:
    """Whether a collected test belongs to the full tier only, by its path or its PostgreSQL variant (a test marked
    `@pytest.mark.full` by hand is in it anyway)."""
    path = Path(item.path).resolve()
    relative = path.relative_to(ROOT / "tests").as_posix() if path.is_relative_to(ROOT / "tests") else ""
    if relative and any(relative == p or (p.endswith("/") and relative.startswith(p)) for p in FULL_TIER_PATHS):
        return True
    callspec = getattr(item, "callspec", None)
    on_postgresql = callspec is not None and callspec.params.get("backend") == "postgresql"
    return on_postgresql or "pg_url" in getattr(item, "fixturenames", ())


def _in_full_tier_paths(path: Path) -> bool:
    resolved = path.resolve()
    relative = resolved.relative_to(ROOT / "tests").as_posix() if resolved.is_relative_to(ROOT / "tests") else ""
    return bool(relative) and any(
        relative == p or relative == p.rstrip("/") or (p.endswith("/") and relative.startswith(p))
        for p in FULL_TIER_PATHS
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier (`-m "not full"`, exactly) does not even import the full tier's paths: every test in them would
    be deselected anyway, and importing them (Playwright, the storage fixtures, hypothesis' property runs) cost each
    worker seconds."""
    if str(config.getoption("markexpr", "") or "").strip() == "not full" and _in_full_tier_paths(collection_path):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if in_full_tier(item):
            item.add_marker(pytest.mark.full)


def run_cli(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `python -m risk ...` in a fresh process, exactly as the README tells users to."""
    return subprocess.run(
        [sys.executable, "-m", "risk", *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )


def make_case(
    context: str = "police_intake",
    persons: list[dict[str, Any]] | None = None,
    assessments: list[dict[str, Any]] | None = None,
    consents: list[dict[str, Any]] | None = None,
    overrides: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A case file; by default an adult female victim v1 and an adult male suspect s1."""
    return {
        "context": context,
        "persons": persons
        if persons is not None
        else [
            {"id": "v1", "role": "victim", "age": 31, "gender": "female"},
            {"id": "s1", "role": "suspect", "age": 35, "gender": "male"},
        ],
        "assessments": assessments or [],
        "consents": consents or [],
        "overrides": overrides or [],
    }


def dv(answers: dict[str, str], subject: str = "v1", about: str | None = "s1", **extra: Any) -> dict[str, Any]:
    a = {"checklist": "domestic_violence", "subject": subject, "answers": answers, **extra}
    if about:
        a["about"] = about
    return a


def assess_json(case: dict[str, Any]) -> dict[str, Any]:
    """The result as an integrator sees it: the JSON of `risk.assess`."""
    from risk import assess

    return json.loads(assess(case).model_dump_json())


def step_ids(result: dict[str, Any]) -> list[str]:
    return [s["id"] for s in result["steps"]]


def flag_ids(result: dict[str, Any]) -> list[str]:
    return [f["id"] for f in result["flags"]]


def by_key(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{a['checklist']}:{a['subject']}": a for a in result["assessments"]}


@pytest.fixture
def tmp_checklists(tmp_path: Path) -> Path:
    """A writable copy of checklists/ to break on purpose."""
    import shutil

    target = tmp_path / "checklists"
    shutil.copytree(ROOT / "checklists", target)
    return target

"""The code stays ruff- and mypy-clean: part of the test command, so CI and a developer see the same."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_ruff() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.full
def test_mypy() -> None:
    """Full tier only: on a checkout without mypy's cache (a fresh clone or worktree) the check costs over half a
    minute of CPU, the fast tier's largest single test. A developer runs `mypy --strict` anyway before a commit
    (README, developers' guide), and CI runs this test."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_engine_never_imports_streamlit() -> None:
    offenders = [p.name for p in (ROOT / "risk").rglob("*.py") if "import streamlit" in p.read_text()]
    assert offenders == []

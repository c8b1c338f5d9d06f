"""The audit key comes from the deployment; a missing or weak key stops with a message naming what to set."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from risk.storage.audit import AuditKeyError, load_key
from tests.conftest import run_cli


def test_a_short_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_AUDIT_KEY", "secret")
    with pytest.raises(AuditKeyError, match="too short"):
        load_key()


def test_a_hex_key_is_decoded_and_names_itself_without_revealing_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRISK_AUDIT_KEY", "ab" * 32)
    key = load_key()
    assert key.secret == bytes.fromhex("ab" * 32)
    assert "ab" * 8 not in key.key_id and len(key.key_id) == 16


def test_development_creates_a_private_key_file_production_refuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SAMRISK_AUDIT_KEY")
    monkeypatch.setenv("SAMRISK_DATA_DIR", str(tmp_path))
    key = load_key()
    path = tmp_path / "audit.key"
    assert key.source == str(path) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key() == key  # the same key on the next start
    monkeypatch.setenv("SAMRISK_AUDIT_KEY_FILE", str(tmp_path / "elsewhere.key"))
    monkeypatch.setenv("SAMRISK_AUDIT_KEY_CREATE", "0")
    with pytest.raises(AuditKeyError, match="no key file at"):
        load_key()


def test_the_command_line_says_what_to_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SAMRISK_AUDIT_KEY", "short")
    done = run_cli("audit", "verify", "--database", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert done.returncode == 2 and "SAMRISK_AUDIT_KEY is too short" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr

"""The database setting, migrations, single-site accounts on the command line, sign-in via an identity provider."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from risk.storage import AuthError, ClaimMapping, Store
from risk.storage.schema import Base
from tests.conftest import ROOT, run_cli


def test_migrations_build_exactly_the_models(store: Store) -> None:
    with store.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


def test_default_is_a_sqlite_file_created_on_first_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SAMRISK_DATABASE_URL"}
    env["SAMRISK_DATA_DIR"] = str(tmp_path / "data")
    code = "from risk.storage import Store; s = Store.open(); print(s.engine.url)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "samrisk.sqlite3").exists()


def test_the_one_setting_chooses_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    env = {**os.environ, "SAMRISK_DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", "from risk.storage import Store; print(Store.open().engine.url)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "elsewhere.sqlite3" in done.stdout


def test_a_crash_inside_a_save_leaves_nothing_half_written(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add_user("anna", "a long passphrase", agency="police", role="officer")
    anna = store.authenticate("anna", "a long passphrase")
    cid = store.create_case(anna, reference="K-1")
    store.add_person(anna, cid, {"id": "v1", "role": "victim", "age": 30})
    real = store._audit

    def crash(s, user, action, *a, **kw):  # type: ignore[no-untyped-def]
        if action == "save_assessment":
            raise RuntimeError("power cut")
        return real(s, user, action, *a, **kw)

    monkeypatch.setattr(store, "_audit", crash)
    with pytest.raises(RuntimeError):
        store.save_assessment(
            anna, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": {"dv.stalking": "yes"}}
        )
    monkeypatch.setattr(store, "_audit", real)
    assert store.get_case(anna, cid)["assessments"] == []
    assert store.save_assessment(anna, cid, {"checklist": "domestic_violence", "subject": "v1", "answers": {}}) == 1
    assert store.verify_audit() == []


def test_users_on_the_command_line(backend: str) -> None:
    added = run_cli(
        "users",
        "add",
        "erik",
        "--agency",
        "healthcare",
        "--role",
        "clinician",
        "--password-stdin",
        "--database",
        backend,
        stdin="a long passphrase\n",
    )
    assert added.returncode == 0, added.stderr
    short = run_cli(
        "users",
        "add",
        "eva",
        "--agency",
        "healthcare",
        "--role",
        "clinician",
        "--password-stdin",
        "--database",
        backend,
        stdin="short\n",
    )
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert run_cli("users", "disable", "erik", "--database", backend).returncode == 0
    listed = run_cli("users", "list", "--database", backend)
    assert "erik\thealthcare\tclinician\tdisabled" in listed.stdout
    store = Store.open(backend)
    with pytest.raises(AuthError, match="disabled"):
        store.authenticate("erik", "a long passphrase")
    with store.engine.connect() as c:  # the command line acted as the named system actor, never as nobody
        actors = c.execute(text("SELECT username, action FROM audit WHERE action IN ('add_user', 'disable_user')"))
        assert sorted(actors) == [("system:cli-users-add", "add_user"), ("system:cli-users-disable", "disable_user")]
    assert run_cli("users", "enable", "erik", "--database", backend).returncode == 0
    assert store.authenticate("erik", "a long passphrase").username == "erik"
    again = run_cli("users", "enable", "erik", "--database", backend)
    assert again.returncode == 2 and "erik is not disabled" in again.stderr
    store.close()


def test_retention_on_the_command_line(backend: str) -> None:
    done = run_cli("retention", "apply", "--days", "365", "--database", backend)
    assert done.returncode == 0 and "0 case(s)" in done.stdout


def test_identity_provider_claims_map_to_agency_and_role(store: Store) -> None:
    mapping = ClaimMapping(role_claim="roles", role_values={"Samrisk.Utredare": "officer"})
    claims = {
        "sub": "abc-123",
        "preferred_username": "k.lund",
        "samrisk_agency": "police",
        "roles": ["Other.Role", "Samrisk.Utredare"],
    }
    user = store.user_from_claims(claims, mapping)
    assert (user.username, user.agency, user.role) == ("k.lund", "police", "officer")
    again = store.user_from_claims({**claims, "samrisk_agency": "healthcare"}, mapping)
    assert again.id == user.id and again.agency == "healthcare"  # the provider is the source of truth
    with pytest.raises(AuthError, match="agency"):
        store.user_from_claims({"sub": "x", "preferred_username": "y", "roles": ["Samrisk.Utredare"]}, mapping)
    with pytest.raises(AuthError, match="sub"):
        store.user_from_claims({"preferred_username": "y"}, mapping)

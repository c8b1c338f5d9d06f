"""argon2id's parameters are the deployment's: the default, SAMRISK_PASSWORD_HASH, and never below OWASP's minimum."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from sqlalchemy import select

from risk.errors import InputError
from risk.storage import Store
from risk.storage import schema as db
from risk.storage.accounts import (
    DEFAULT_PASSWORD_HASH,
    OWASP_MINIMUM,
    PASSWORD_HASH_ENV,
    hasher,
    password_hash_parameters,
)

KEY = b"k" * 48
PASSWORD = "correct horse battery"


def stored_hash(store: Store, username: str) -> str:
    with store.engine.connect() as c:
        return str(c.execute(select(db.User.password_hash).where(db.User.username == username)).scalar_one())


def test_the_default_is_rfc_9106s_and_above_owasps_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_HASH_ENV, raising=False)
    ph = hasher()
    assert ph.type is Type.ID
    assert (ph.memory_cost, ph.time_cost, ph.parallelism) == (65536, 3, 4) == tuple(DEFAULT_PASSWORD_HASH.values())
    assert all(DEFAULT_PASSWORD_HASH[k] >= least for k, least in OWASP_MINIMUM.items())
    assert OWASP_MINIMUM == {"m": 19456, "t": 2, "p": 1}  # 19 MiB, 2 iterations, 1 lane


def test_a_deployment_sets_its_own_and_new_passwords_are_hashed_with_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_HASH_ENV, " m=19456, t=2 ,p=1 ")
    assert password_hash_parameters() == {"m": 19456, "t": 2, "p": 1}
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", key=KEY)
    system = store.system_actor("test")
    store.add_user("anna", PASSWORD, "police", "officer", by=system)
    made = stored_hash(store, "anna")
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert store.authenticate("anna", PASSWORD).username == "anna"
    monkeypatch.delenv(PASSWORD_HASH_ENV)  # the deployment goes back to the default: the old hash still verifies
    again = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}", key=KEY)
    assert again.authenticate("anna", PASSWORD).username == "anna"
    assert PasswordHasher().check_needs_rehash(made)  # made with other parameters than the default's
    store.close()
    again.close()


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("m=19455,t=2,p=1", "m=19455 is below OWASP's minimum"),
        ("m=65536,t=1,p=4", "t=1 is below OWASP's minimum"),
        ("m=65536,t=3,p=0", "p=0 is below OWASP's minimum"),
        ("m=65536,t=3", "p is missing"),
        ("m=65536,t=3,p=4,m=1024", "give m (KiB), t and p once each"),
        ("64MiB", "give m (KiB), t and p once each"),
        ("m=-1,t=2,p=1", "give m (KiB), t and p once each"),
        ("m=4194304,t=2,p=1", "m=4194304 is more than 1048576"),
    ],
)
def test_a_weaker_or_unreadable_setting_stops_the_start_naming_it(
    setting: str, said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_HASH_ENV, setting)
    with pytest.raises(InputError) as refused:
        Store.open(f"sqlite:///{tmp_path / 'b.sqlite3'}", key=KEY)
    assert any(p.startswith(PASSWORD_HASH_ENV) and said in p for p in refused.value.problems), refused.value.problems
    assert not (tmp_path / "b.sqlite3").exists()  # refused before the database was made or migrated

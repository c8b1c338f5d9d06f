"""An attacker with full access to the database but not to the audit key or the anchor file.

Every tampering below — of each column of the trail and its head, deletions at the start, middle and end with and
without the head rewritten, the whole trail deleted or restarted, the saved content changed in place, records
slipped in with plain SQL, the anchor file edited or removed, the chain recomputed without the key — must be named
by `verify_audit()` and make `python -m risk audit verify` exit non-zero.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update

from risk.cli import main
from risk.storage import schema as db
from risk.storage.audit import GENESIS, HASHED, AuditKey, entry_hash
from tests.conftest import run_cli
from tests.storage.conftest import Store

PASS = "a long passphrase"


@dataclass
class Scene:
    store: Store
    case_id: int
    anchor: Path

    def sql(self, *statements: str) -> None:
        with self.store.engine.begin() as c:
            for st in statements:
                c.execute(text(st))

    def core(self, *statements: Any) -> None:
        with self.store.engine.begin() as c:
            for st in statements:
                c.execute(st)

    def entries(self) -> list[dict[str, Any]]:
        with self.store.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(text("SELECT * FROM audit ORDER BY id"))]

    def count(self) -> int:
        return len(self.entries())

    def rewrite_chain(self, entries: list[dict[str, Any]], sign: Callable[[dict[str, Any]], str]) -> None:
        """Replace the whole trail by `entries`, re-linked and re-hashed with `sign`, and set the head to match."""
        prev = GENESIS
        with self.store.engine.begin() as c:
            c.execute(text("DELETE FROM audit"))
            for e in entries:
                e = {**e, "prev_hash": prev}
                e["hash"] = sign({k: e[k] for k in HASHED})
                c.execute(text(f"INSERT INTO audit ({', '.join(e)}) VALUES ({', '.join(':' + k for k in e)})"), e)
                prev = e["hash"]
            last = entries[-1]["id"] if entries else 0
            c.execute(
                text("UPDATE audit_head SET last_id = :i, last_hash = :h, count = :n"),
                {"i": last, "h": prev, "n": len(entries)},
            )


@pytest.fixture
def scene(store: Store, audit_setting: Path) -> Scene:
    """A case with an assessment, a second version, an override and reads; the anchor written as on a schedule."""
    store.add_user("anna", PASS, agency="police", role="officer")
    anna = store.authenticate("anna", PASS)
    cid = store.create_case(anna, reference="K-1")
    store.add_person(anna, cid, {"id": "v1", "role": "victim", "age": 30})
    dv = {"checklist": "domestic_violence", "subject": "v1"}
    store.save_assessment(anna, cid, {**dv, "answers": {"dv.stalking": "yes"}})
    store.save_assessment(anna, cid, {**dv, "answers": {"dv.stalking": "yes", "dv.strangulation": "yes"}}, 1)
    store.save_override(anna, cid, "domestic_violence", "v1", "high", "The victim's account is consistent.")
    store.get_case(anna, cid)
    store.list_drafts(anna)
    store.anchor_audit()
    assert store.verify_audit() == []
    return Scene(store, cid, audit_setting)


def _drop_last(sc: Scene, n: int, rewrite_head: bool) -> None:
    entries = sc.entries()
    keep = entries[:-n]
    sc.sql(f"DELETE FROM audit WHERE id > {keep[-1]['id']}")
    if rewrite_head:  # the head made to agree with the new last entry
        sc.sql(
            f"UPDATE audit_head SET last_id = {keep[-1]['id']}, last_hash = '{keep[-1]['hash']}', count = {len(keep)}"
        )


def _drop_everything(sc: Scene) -> None:
    sc.sql("DELETE FROM audit", "DELETE FROM audit_head")


def _restart(sc: Scene) -> None:
    """Trail and head deleted; the app goes on and starts a fresh, valid-looking chain."""
    _drop_everything(sc)
    anna = sc.store.authenticate("anna", PASS)
    sc.store.get_case(anna, sc.case_id)


def _restart_without_anchor(sc: Scene) -> None:
    _restart(sc)
    sc.anchor.unlink()


def _answers_changed(sc: Scene) -> None:
    a = db.Assessment.__table__
    sc.core(update(a).where(a.c.version == 1).values(answers={"dv.stalking": "no"}))


def _result_changed(sc: Scene) -> None:
    with sc.store.engine.connect() as c:
        result = c.execute(select(db.Assessment.result).where(db.Assessment.version == 2)).scalar_one()
    result["score"] = 0
    a = db.Assessment.__table__
    sc.core(update(a).where(a.c.version == 2).values(result=result))


def _level_changed(sc: Scene) -> None:
    a = db.Assessment.__table__
    sc.core(update(a).where(a.c.version == 2).values(level="low"))


def _override_reason_changed(sc: Scene) -> None:
    o = db.Override.__table__
    sc.core(update(o).values(reason="No reason."))


def _override_level_changed(sc: Scene) -> None:
    o = db.Override.__table__
    sc.core(update(o).values(level="low"))


def _assessment_deleted(sc: Scene) -> None:
    sc.core(delete(db.Override.__table__), delete(db.Assessment.__table__).where(db.Assessment.version == 2))


def _override_deleted(sc: Scene) -> None:
    sc.core(delete(db.Override.__table__))


def _assessment_slipped_in(sc: Scene) -> None:
    sc.sql(
        "INSERT INTO assessments (case_id, checklist, subject, agency, context, answers, level, checklist_version, "
        "engine_version, saved_by, saved_at, version) SELECT case_id, checklist, subject, agency, context, answers, "
        "'low', checklist_version, engine_version, saved_by, saved_at, 3 FROM assessments WHERE version = 2"
    )


def _case_slipped_in(sc: Scene) -> None:
    sc.sql(
        "INSERT INTO cases (reference, context, owner_agency, created_by, created_at, last_activity, synthetic) "
        "VALUES ('K-X', 'police_intake', 'police', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', false)"
    )


def _user_slipped_in(sc: Scene) -> None:
    sc.sql(
        "INSERT INTO users (username, agency, role, disabled, failed_logins, created_at) "
        "VALUES ('mallory', 'police', 'officer', false, 0, '2026-01-01 00:00:00')"
    )


def _anchor_edited(sc: Scene) -> None:
    anchor = json.loads(sc.anchor.read_text())
    anchor["count"] -= 1
    sc.anchor.write_text(json.dumps(anchor))


def _anchor_signature_garbage(sc: Scene) -> None:
    anchor = json.loads(sc.anchor.read_text())
    anchor["signature"] = "ÿ" * 64
    sc.anchor.write_text(json.dumps(anchor))


def _anchor_deleted(sc: Scene) -> None:
    sc.anchor.unlink()


def _recomputed_unkeyed(sc: Scene) -> None:
    """Entry 3 changed and every hash after it recomputed with plain SHA-256 — the old, unkeyed scheme."""
    entries = sc.entries()
    entries[2]["action"] = "nothing_happened"
    sc.rewrite_chain(entries, entry_hash)


def _recomputed_with_a_guessed_key(sc: Scene) -> None:
    entries = sc.entries()
    entries[2]["action"] = "nothing_happened"
    sc.rewrite_chain(entries, AuditKey(b"a guessed key, 32 bytes or more!", "guess").entry_mac)


def _whole_trail_rewritten_unkeyed(sc: Scene) -> None:
    """The whole trail rewritten as if written before the key existed, minus the entries the attacker dislikes."""
    entries = [e for e in sc.entries() if e["action"] != "override"]
    for i, e in enumerate(entries, start=1):
        e["id"] = i
    sc.rewrite_chain(entries, entry_hash)


def _column(column: str, value: str) -> Callable[[Scene], None]:
    return lambda sc: sc.sql(f"UPDATE audit SET {column} = {value} WHERE id = 3")


ATTACKS: dict[str, tuple[Callable[[Scene], None], str]] = {
    **{
        f"audit.{col}": (_column(col, val), "audit entry 3:")
        for col, val in [
            ("at", "'2020-01-01T00:00:00'"),
            ("user_id", "999"),
            ("username", "'someone'"),
            ("agency", "'healthcare'"),
            ("action", "'nothing'"),
            ("case_id", "999"),
            ("record", "'case:999'"),
            ("detail", "'{}'"),
            ("prev_hash", f"'{'1' * 64}'"),
            ("hash", f"'{'2' * 64}'"),
        ]
    },
    "audit.id": (lambda sc: sc.sql("UPDATE audit SET id = 1000 WHERE id = 3"), "entries 3..3 are missing"),
    "audit_head.last_id": (lambda sc: sc.sql("UPDATE audit_head SET last_id = last_id - 1"), "its head records"),
    "audit_head.last_hash": (lambda sc: sc.sql(f"UPDATE audit_head SET last_hash = '{'3' * 64}'"), "its head records"),
    "audit_head.count": (lambda sc: sc.sql("UPDATE audit_head SET count = count + 1"), "its head records"),
    "delete first entry": (lambda sc: sc.sql("DELETE FROM audit WHERE id = 1"), "entries 1..1 are missing"),
    "delete a middle entry": (lambda sc: sc.sql("DELETE FROM audit WHERE id = 5"), "entries 5..5 are missing"),
    "delete the last entry": (lambda sc: _drop_last(sc, 1, rewrite_head=False), "its head records"),
    "cut the last entry, head rewritten": (lambda sc: _drop_last(sc, 1, rewrite_head=True), "the trail was cut"),
    "cut the last 4 entries, head rewritten": (lambda sc: _drop_last(sc, 4, rewrite_head=True), "the trail was cut"),
    "whole trail and head deleted": (_drop_everything, "emptied or restarted"),
    "trail restarted": (_restart, "emptied or restarted"),
    "trail restarted, anchor deleted": (_restart_without_anchor, "no audit entry of their creation"),
    "assessment answers changed": (_answers_changed, "answers or result changed"),
    "assessment result changed": (_result_changed, "answers or result changed"),
    "assessment level changed": (_level_changed, "answers or result changed"),
    "assessment deleted": (_assessment_deleted, "is missing (deleted)"),
    "assessment slipped in": (_assessment_slipped_in, "assessment version(s) with no audit entry"),
    "case slipped in": (_case_slipped_in, "case(s) with no audit entry"),
    "user slipped in": (_user_slipped_in, "user(s) with no audit entry"),
    "override reason changed": (_override_reason_changed, "level or reason changed"),
    "override level changed": (_override_level_changed, "level or reason changed"),
    "override deleted": (_override_deleted, "is missing (deleted)"),
    "anchor edited": (_anchor_edited, "invalid signature"),
    "anchor deleted": (_anchor_deleted, "audit anchor: none at"),
    "anchor signature not even hex": (_anchor_signature_garbage, "invalid signature"),
    "audit.hash not even hex": (_column("hash", "'ÿ-not-a-hash'"), "audit entry 3:"),
    "chain recomputed unkeyed": (_recomputed_unkeyed, "not signed with the audit key"),
    "chain recomputed with a guessed key": (_recomputed_with_a_guessed_key, "audit entry 1: content altered"),
    "whole trail rewritten unkeyed": (_whole_trail_rewritten_unkeyed, "the anchor of"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_every_tampering_is_named(scene: Scene, backend: str, attack: str, capsys: pytest.CaptureFixture[str]) -> None:
    """verify_audit() and the `audit verify` command (its main(), in this process: a fresh interpreter per attack
    costs seconds each; the subprocess runs are below)."""
    tamper, expected = ATTACKS[attack]
    tamper(scene)
    problems = scene.store.verify_audit()
    assert any(expected in p for p in problems), problems
    capsys.readouterr()
    assert main(["audit", "verify", "--database", backend]) == 1
    assert expected in capsys.readouterr().out


def test_the_command_line_in_a_fresh_process(scene: Scene, backend: str) -> None:
    cli = run_cli("audit", "verify", "--database", backend)
    assert cli.returncode == 0 and "intact" in cli.stdout, cli.stdout + cli.stderr
    _restart(scene)
    cli = run_cli("audit", "verify", "--database", backend)
    assert cli.returncode == 1 and "emptied or restarted" in cli.stdout, cli.stdout + cli.stderr


def test_without_the_key_nothing_verifies(scene: Scene, backend: str) -> None:
    """Another key (an attacker's, or a misconfigured deployment) does not accept the trail, nor the anchor."""
    other = Store.open(backend, audit_key=AuditKey(b"another deployment's key, 32 bytes!", "other"))
    problems = other.verify_audit()
    other.close()
    assert any("not signed with the audit key" in p or "content altered" in p for p in problems), problems
    assert any("signed with another key" in p for p in problems), problems


def test_save_and_override_entries_carry_a_keyed_content_digest(scene: Scene) -> None:
    saves = [e for e in scene.entries() if e["action"] in ("save_assessment", "override")]
    assert len(saves) == 3
    for e in saves:
        detail = json.loads(e["detail"])
        assert len(detail["content"]) == 64
        assert "dv.stalking" not in e["detail"]  # the digest, never the answers themselves


def test_the_store_anchors_on_its_first_append_and_then_at_intervals(backend: str, audit_setting: Path) -> None:
    from tests.storage.conftest import Clock

    store = Store.open(backend, clock=Clock(), fast_hashing=True, anchor_interval=3600)
    assert not audit_setting.exists()
    store.add_user("anna", PASS, agency="police", role="officer")  # the system actor's entry, then add_user
    first = json.loads(audit_setting.read_text())
    assert (first["last_id"], first["count"]) == (1, 1)  # anchored on the first append
    store.authenticate("anna", PASS)
    assert json.loads(audit_setting.read_text())["count"] == 1  # within the interval: not rewritten
    store.anchor_interval = 0
    store.authenticate("anna", PASS)
    total = _audit_count(store)
    assert json.loads(audit_setting.read_text())["count"] == total
    store.close()
    done = run_cli("audit", "anchor", "--database", backend)
    assert done.returncode == 0 and f"entry {total}," in done.stdout, done.stdout + done.stderr


def test_an_older_anchor_never_replaces_a_newer_one(store: Store, audit_setting: Path) -> None:
    store.add_user("anna", PASS, agency="police", role="officer")
    store.authenticate("anna", PASS)
    store.anchor_audit()
    total = _audit_count(store)
    assert json.loads(audit_setting.read_text())["count"] == total
    assert store._write_anchor(1, "x" * 64, 1) is False
    assert json.loads(audit_setting.read_text())["count"] == total


def test_a_legacy_trail_is_sealed_once_and_stays_verifiable(backend: str, audit_setting: Path) -> None:
    """A trail written before the key (plain SHA-256) is sealed by one keyed entry; altering it later is named."""
    store = Store.open(backend, fast_hashing=True)
    store.add_user("anna", PASS, agency="police", role="officer")
    anna = store.authenticate("anna", PASS)
    store.create_case(anna, reference="K-OLD")
    sc = Scene(store, 1, audit_setting)
    sc.rewrite_chain(sc.entries(), entry_hash)  # as the previous version of Samrisk wrote it
    audit_setting.unlink()
    store.close()

    store = Store.open(backend, fast_hashing=True)
    sc.store = store
    entries = sc.entries()
    actions = [e["action"] for e in entries]
    assert actions[-2:] == ["create_case", "audit_sealed"] and "add_user" in actions and "login" in actions
    legacy_count = len(actions) - 1
    assert json.loads(entries[-1]["detail"])["legacy_entries"] == legacy_count
    assert store.verify_audit() == []
    store.close()
    store = Store.open(backend, fast_hashing=True)  # not sealed twice
    assert len(sc.entries()) == legacy_count + 1
    sc.store = store

    legacy = sc.entries()[:legacy_count]
    legacy[1]["username"] = "someone else"
    prev = GENESIS
    with store.engine.begin() as c:  # the attacker re-hashes the legacy part ...
        for e in legacy:
            e["prev_hash"] = prev
            e["hash"] = prev = entry_hash({k: e[k] for k in HASHED})
            c.execute(
                text("UPDATE audit SET username = :u, prev_hash = :p, hash = :h WHERE id = :i"),
                {"u": e["username"], "p": e["prev_hash"], "h": e["hash"], "i": e["id"]},
            )
    problems = store.verify_audit()  # ... but the keyed seal links to the old last hash
    assert any(f"audit entry {legacy_count + 1}:" in p for p in problems), problems
    store.close()


def _audit_count(store: Store) -> int:
    with store.engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM audit")).scalar_one())

"""A keyed, hash-chained audit trail, anchored outside the database.

Each entry's hash is an HMAC (SHA-256) under a key kept outside the database, over the entry's content and the
previous entry's hash. Editing an entry breaks its own hash; deleting one breaks the next entry's link (and the id
sequence); someone with only database access cannot recompute a hash, because they do not have the key.

The head row in the database says where the chain ends, but whoever can delete entries can rewrite it too. So the
head is also written, signed with the key, to an anchor file outside the database (`write_anchor`, at intervals and
by `python -m risk audit anchor`); `verify` checks that the entries up to the anchor are all there and unchanged.

Trails written before the key existed ("legacy", plain SHA-256) stay verifiable: they are sealed once by a keyed
`audit_sealed` entry whose link covers the last legacy hash. Entries before the seal are only as trustworthy as the
database was before it; that is said, not hidden.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from risk.errors import SamriskError, problem

GENESIS = "0" * 64
SEAL_ACTION = "audit_sealed"
HASHED = ("id", "at", "user_id", "username", "agency", "action", "case_id", "record", "detail", "prev_hash")
MIN_KEY_BYTES = 32
AUDIT_KEY_ENV = "SAMRISK_AUDIT_KEY"


class AuditKeyError(SamriskError):
    """The audit key is missing, too short or unreadable: the trail cannot be written or checked without it."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: dict[str, Any]) -> str:
    """Plain SHA-256 of an entry: how trails were chained before the key (legacy entries only)."""
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditKey:
    """The HMAC key of the audit chain. `key_id` names it (in anchors) without revealing it."""

    secret: bytes
    source: str

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"samrisk-audit-key-id:" + self.secret).hexdigest()[:16]

    def mac(self, value: Any) -> str:
        """HMAC-SHA256 over the canonical JSON of `value`."""
        return hmac.new(self.secret, canonical(value).encode("utf-8"), hashlib.sha256).hexdigest()

    def entry_mac(self, fields: dict[str, Any]) -> str:
        return self.mac({k: fields[k] for k in HASHED})

    def content_digest(self, value: Any) -> str:
        """A keyed digest of saved content (answers, result, override reason) for the audit entry.

        Keyed so that an admin reading the trail cannot confirm a guessed set of answers by hashing it.
        """
        return self.mac({"content": value})


def _same(stored: Any, computed: str) -> bool:
    """Constant-time comparison that also takes whatever an attacker stored (non-ASCII text, numbers, None)."""
    return hmac.compare_digest(str(stored).encode("utf-8"), computed.encode("utf-8"))


def _data_dir() -> Path:
    return Path(os.environ.get("SAMRISK_DATA_DIR", "var"))


def load_key(create: bool = True) -> AuditKey:
    """The deployment's audit key: SAMRISK_AUDIT_KEY (at least 32 characters; hex is decoded), else the key file.

    The key file is SAMRISK_AUDIT_KEY_FILE, default `audit.key` in the data folder (SAMRISK_DATA_DIR, default var/).
    When no key exists and `create` holds (development), a random key file is made, readable by its owner only.
    """
    value = os.environ.get(AUDIT_KEY_ENV)
    if value:
        return AuditKey(_decode_key(value.strip(), None), AUDIT_KEY_ENV)
    path = Path(os.environ.get("SAMRISK_AUDIT_KEY_FILE") or _data_dir() / "audit.key")
    if not path.exists():
        if not create or os.environ.get("SAMRISK_AUDIT_KEY_CREATE", "1") == "0":
            raise AuditKeyError(
                [
                    problem(
                        "settings.audit_key_missing",
                        AUDIT_KEY_ENV,
                        f"audit key: no {AUDIT_KEY_ENV} and no key file at {path}; set one (see docs/deployment.md)",
                        setting=AUDIT_KEY_ENV,
                        path=str(path),
                    )
                ]
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise AuditKeyError(
            [
                problem(
                    "settings.audit_key_unreadable",
                    AUDIT_KEY_ENV,
                    f"audit key: key file {path} cannot be read: {e.strerror}",
                    path=str(path),
                    reason=str(e.strerror),
                )
            ]
        ) from None
    return AuditKey(_decode_key(text, path), str(path))


def _decode_key(value: str, path: Path | None) -> bytes:
    """The key's bytes (hex decoded); AuditKeyError naming where it came from, the key file `path` or (None)
    SAMRISK_AUDIT_KEY, when it is too short."""
    try:
        raw = bytes.fromhex(value) if len(value) % 2 == 0 else b""
    except ValueError:
        raw = b""
    raw = raw or value.encode("utf-8")
    if len(raw) < MIN_KEY_BYTES:
        where = AUDIT_KEY_ENV if path is None else f"key file {path}"
        text = f"audit key: {where} is too short ({len(raw)} bytes); use at least {MIN_KEY_BYTES} random bytes"
        if path is None:
            short = problem(
                "settings.audit_key_short",
                AUDIT_KEY_ENV,
                text,
                setting=AUDIT_KEY_ENV,
                size=len(raw),
                least=MIN_KEY_BYTES,
            )
        else:
            short = problem(
                "settings.audit_key_file_short", AUDIT_KEY_ENV, text, path=str(path), size=len(raw), least=MIN_KEY_BYTES
            )
        raise AuditKeyError([short])
    return raw


# --- the anchor: a signed head outside the database -------------------------------------------------------------


def sign_anchor(key: AuditKey, database: str, last_id: int, last_hash: str, count: int, at: str) -> dict[str, Any]:
    body = {"database": database, "last_id": last_id, "last_hash": last_hash, "count": count, "at": at}
    return {**body, "key_id": key.key_id, "signature": key.mac({"anchor": body})}


def anchor_signature_ok(key: AuditKey, anchor: dict[str, Any]) -> bool:
    body = {k: anchor.get(k) for k in ("database", "last_id", "last_hash", "count", "at")}
    return _same(anchor.get("signature"), key.mac({"anchor": body}))


def read_anchor(path: Path) -> dict[str, Any] | None:
    """The anchor in `path`, None if there is none; an unreadable file is returned as {"unreadable": why}."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as e:
        return {"unreadable": e.strerror or str(e)}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        return {"unreadable": f"not JSON ({e.msg})"}
    return value if isinstance(value, dict) else {"unreadable": "not a JSON object"}


def write_anchor(path: Path, anchor: dict[str, Any], key: AuditKey) -> bool:
    """Write the anchor atomically, unless the file already holds a valid anchor further along. True if written."""
    current = read_anchor(path)
    if (
        current is not None
        and "unreadable" not in current
        and anchor_signature_ok(key, current)
        and current.get("database") == anchor["database"]
        and int(current.get("count", 0)) > anchor["count"]
    ):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(anchor, indent=2, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


# --- verification ---------------------------------------------------------------------------------------------


@dataclass
class ChainState:
    """What a pass over the chain found, for the checks that come after it (anchor, content, data)."""

    count: int = 0
    last_id: int = 0
    last_hash: str = GENESIS
    legacy_entries: int = 0
    seal_detail: dict[str, Any] | None = None
    hash_at_anchor: str | None = None


def verify(
    entries: Iterable[dict[str, Any]],
    head: dict[str, Any] | None,
    key: AuditKey,
    anchor_id: int | None = None,
) -> tuple[list[str], ChainState]:
    """One line per broken, altered, unkeyed or missing entry ([] when intact), and what the pass found."""
    problems: list[str] = []
    st = ChainState()
    keyed_seen = False
    for e in entries:
        st.count += 1
        if e["id"] != st.last_id + 1:
            problems.append(f"audit entries {st.last_id + 1}..{e['id'] - 1} are missing (deleted)")
        if e["prev_hash"] != st.last_hash:
            problems.append(
                f"audit entry {e['id']}: does not follow the entry before it (an entry was removed or changed)"
            )
        fields = {k: e[k] for k in HASHED}
        if _same(e["hash"], key.entry_mac(fields)):
            if not keyed_seen and st.count > 1 and e["action"] != SEAL_ACTION:
                problems.append(
                    f"audit entry {e['id']}: keyed entries follow unkeyed ones without a seal entry "
                    "(entries before it were rewritten without the key)"
                )
            if e["action"] == SEAL_ACTION and not keyed_seen:
                try:
                    st.seal_detail = json.loads(e["detail"])
                except (TypeError, ValueError):
                    st.seal_detail = {}
            keyed_seen = True
        elif entry_hash(fields) == e["hash"]:
            if keyed_seen:
                problems.append(
                    f"audit entry {e['id']}: not signed with the audit key (written or rewritten without the key)"
                )
            else:
                st.legacy_entries += 1
        else:
            problems.append(f"audit entry {e['id']}: content altered ({e['action']} at {e['at']})")
        if anchor_id is not None and e["id"] == anchor_id:
            st.hash_at_anchor = str(e["hash"])
        st.last_hash, st.last_id = str(e["hash"]), int(e["id"])
    if st.count and not keyed_seen:
        problems.append(
            f"audit entries 1..{st.last_id} are not signed with the audit key: the trail was written without it, "
            "rewritten, or the key is not the one it was written with"
        )
    if head is None:
        if st.count:
            problems.append("audit head is missing: the chain's end cannot be checked")
    elif head["last_id"] != st.last_id or head["last_hash"] != st.last_hash or head["count"] != st.count:
        problems.append(
            f"audit trail ends at entry {st.last_id} ({st.count} entries) but its head records entry "
            f"{head['last_id']} ({head['count']} entries): entries at the end were deleted or altered"
        )
    return problems, st


def check_anchor(
    anchor: dict[str, Any] | None, path: Path | None, key: AuditKey, database: str, st: ChainState
) -> list[str]:
    """The chain against the signed head outside the database: nothing up to it deleted, altered or cut off."""
    if path is None:
        return []
    if anchor is None:
        if st.count:
            return [
                f"audit anchor: none at {path}; the end of the trail cannot be checked outside the database "
                "(the anchor was deleted, or SAMRISK_AUDIT_ANCHOR points elsewhere)"
            ]
        return []
    if "unreadable" in anchor:
        return [f"audit anchor: {path} is unreadable: {anchor['unreadable']}"]
    if anchor.get("key_id") != key.key_id:
        return [f"audit anchor: {path} was signed with another key ({anchor.get('key_id')}); check SAMRISK_AUDIT_KEY"]
    if not anchor_signature_ok(key, anchor):
        return [f"audit anchor: {path} has an invalid signature (the anchor file was altered)"]
    problems = []
    if anchor.get("database") != database:
        problems.append(f"audit anchor: {path} belongs to database {anchor.get('database')!r}, not {database!r}")
    last_id, count, at = int(anchor["last_id"]), int(anchor["count"]), anchor["at"]
    if st.count < count or st.last_id < last_id:
        problems.append(
            f"audit trail holds {st.count} entries up to entry {st.last_id}, but the anchor of {at} recorded "
            f"{count} entries up to entry {last_id}: the trail was cut, emptied or restarted"
        )
    elif st.hash_at_anchor != anchor["last_hash"]:
        problems.append(
            f"audit entry {last_id}: differs from the anchor of {at} (entries up to it were replaced or rewritten)"
        )
    return problems

"""A hash-chained audit trail: each entry's hash covers its content and the previous hash.

Editing an entry breaks its own hash; deleting one breaks the next entry's link (and the
id sequence); deleting the newest entries disagrees with the head row. `verify` names each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the entry's fields (including its id and the previous hash), in canonical JSON."""
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


HASHED = ("id", "at", "user_id", "username", "agency", "action", "case_id", "record", "detail", "prev_hash")


def verify(entries: Iterable[dict[str, Any]], head: dict[str, Any] | None) -> list[str]:
    """One line per broken, altered or missing entry; [] when the chain is intact."""
    problems: list[str] = []
    prev_hash, prev_id, count = GENESIS, 0, 0
    for e in entries:
        count += 1
        if e["id"] != prev_id + 1:
            problems.append(f"audit entries {prev_id + 1}..{e['id'] - 1} are missing (deleted)")
        if e["prev_hash"] != prev_hash:
            problems.append(
                f"audit entry {e['id']}: does not follow the entry before it (an entry was removed or changed)"
            )
        if entry_hash({k: e[k] for k in HASHED}) != e["hash"]:
            problems.append(f"audit entry {e['id']}: content altered ({e['action']} at {e['at']})")
        prev_hash, prev_id = e["hash"], e["id"]
    if head is None:
        if count:
            problems.append("audit head is missing: the chain's end cannot be checked")
    elif head["last_id"] != prev_id or head["last_hash"] != prev_hash or head["count"] != count:
        problems.append(
            f"audit trail ends at entry {prev_id} ({count} entries) but its head records entry {head['last_id']} "
            f"({head['count']} entries): entries at the end were deleted or altered"
        )
    return problems

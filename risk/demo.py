"""Load the synthetic demo (data/demo.json) into an empty store, so a new user sees a working system at once.

Every demo case is marked synthetic and its reference starts with DEMO; nothing here is real.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from risk.storage import Store, UserInfo

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo.json"


def load_demo(store: Store, path: Path = DEMO_FILE) -> dict[str, UserInfo]:
    """Add the demo accounts and cases unless the store already has users. Returns the accounts by name."""
    demo: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if store.list_users():
        return {}
    users = {
        a["username"]: store.add_user(a["username"], demo["password"], a["agency"], a["role"]) for a in demo["accounts"]
    }
    today = store.clock().date()
    for c in demo["cases"]:
        owner = users[c["by"]]
        cid = store.create_case(owner, reference=c["reference"], context=c["context"], synthetic=True)
        for agency in c.get("agencies", []):
            store.add_agency(owner, cid, agency)
        for p in c["persons"]:
            store.add_person(owner, cid, p)
        for consent in c.get("consents", []):
            store.record_consent(users[consent["by"]], cid, consent["person"], consent["to_share_with"])
        for a in c.get("assessments", []):
            days = a.get("reassess_in_days")
            assessment = {k: a[k] for k in ("checklist", "subject", "about", "answers") if k in a}
            store.save_assessment(
                users[a["by"]], cid, assessment, reassess_by=today + timedelta(days=days) if days is not None else None
            )
        for r in c.get("concern_reports", []):
            store.report_concern(users[r["by"]], cid, r["child"])
        for share in c.get("conference_shares", []):
            store.share_with_conference(users[share["by"]], cid, share["checklist"], share["subject"], share["basis"])
        for act in c.get("actions", []):
            store.add_action(
                users[act["by"]],
                cid,
                act["step_id"],
                act["owner_agency"],
                act["responsible"],
                today + timedelta(days=act["due_in_days"]),
                act["status"],
            )
    return users

"""Where the checklists are and what their item ids look like: one place for the pydantic models (risk.checklists)
and the plain form the batch scorer reads without them (risk.plain_checklist)."""

from __future__ import annotations

import re
from pathlib import Path

CHECKLIST_DIR = Path(__file__).resolve().parent.parent / "checklists"
CHECKLIST_FILES = (
    "domestic_violence",
    "psychiatric",
    "child_welfare",
    "criminal_network",
    "sexual_violence",
    "warning_behaviours",
)
ITEM_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
